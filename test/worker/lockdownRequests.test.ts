import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../shared/schema/imports.ts';
import { call, emailOf, ok, signedIn, startBody, startImport, TEST_PASSWORD } from './support/api.ts';

type Err = { error: { code: string; message: string; details?: unknown } };

const COLUMNS = [{ column: 'Email', target: 'email' }];

async function raw(path: string, init: RequestInit = {}, base = 'http://app.test'): Promise<{ status: number; body: Err | null; headers: Headers }> {
  const res = await SELF.fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Err) : null, headers: res.headers };
}

const openImport = async () => startImport(startBody(COLUMNS, 'Email'));
const statusOf = async (id: string) => (await ok<ImportSummary>('GET', `/api/imports/${id}`)).status;

describe('security headers', () => {
  it('are on every API answer: success, refusal, 404 and error', async () => {
    const answers = [
      await raw('/api/health'),
      // Signed in, so the 404 is the route's own answer and not the sign-in check's 401.
      await raw('/api/audiences/none', await signedIn()),
      await raw('/api/nothing-here', await signedIn()),
      await raw('/api/audiences', { method: 'POST', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      await raw('/api/health', {}, 'http://evil.test'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 404, 404, 415, 403]);
    for (const { headers } of answers) {
      expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
  });
});

describe('cross-site requests (CSRF)', () => {
  it('refuse the cross-site form POST that used to finish an import, whatever its content type', async () => {
    const imp = await openImport();
    const path = `/api/imports/${imp.id}/finish`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    // What <form method=post action=…/finish> on another site sends.
    const fromForm = await raw(path, { method: 'POST', body: '', headers: { ...form, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(fromForm.status).toBe(403);
    expect(fromForm.body?.error.code).toBe('forbidden_origin');
    // Without Origin (a browser that strips it), the content type alone refuses it; a no-cors fetch sends none at all.
    for (const headers of [form, { 'content-type': 'text/plain' }, { 'content-type': 'multipart/form-data; boundary=x' }, undefined]) {
      const res = await raw(path, headers ? { method: 'POST', headers } : { method: 'POST' });
      expect(res.status).toBe(415);
      expect(res.body?.error).toEqual({ code: 'unsupported_media_type', message: expect.stringContaining('application/json') });
    }
    const noOriginCrossSite = await raw(path, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' } });
    expect(noOriginCrossSite.status).toBe(403);
    expect(await statusOf(imp.id)).toBe('open');

    // The SPA's own request: same origin, JSON content type, no body, the user's session cookie.
    const own = await raw(path, await signedIn({ method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://app.test', 'sec-fetch-site': 'same-origin' } }));
    expect(own.status).toBe(200);
    expect(await statusOf(imp.id)).toBe('completed');
  });

  it('refuse a state change from a foreign Origin with a JSON body too, and from an opaque (null) origin', async () => {
    for (const origin of ['https://evil.example', 'http://app.test.evil.example', 'http://app.test:8080', 'null']) {
      const res = await raw('/api/audiences', { method: 'POST', body: JSON.stringify({ name: 'x' }), headers: { 'content-type': 'application/json', origin } });
      expect(res.status, origin).toBe(403);
      expect(res.body?.error.code).toBe('forbidden_origin');
    }
    for (const method of ['PUT', 'DELETE']) {
      const res = await raw('/api/connections/abc', { method, headers: { origin: 'https://evil.example' } });
      expect(res.status).toBe(403);
    }
  });

  it('still let a CRM sign-in come back: the OAuth callback is a cross-site GET redirect', async () => {
    // The session cookie is SameSite=Lax (worker/auth/createAuth.ts), so the browser sends it on this top-level GET
    // from the CRM's site: the manager who started the sign-in is signed in here, and no CSRF check may refuse it.
    const res = await SELF.fetch(
      'http://app.test/api/connections/salesforce/callback?state=unknown&code=x',
      await signedIn({ headers: { 'sec-fetch-site': 'cross-site' }, redirect: 'manual' }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/connections\?error=/);

    // The premise: the session cookie a sign-in sets is SameSite=Lax (Strict would be left off this navigation).
    const signIn = await SELF.fetch('http://app.test/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://app.test' },
      body: JSON.stringify({ email: emailOf('admin'), password: TEST_PASSWORD }),
    });
    expect(signIn.headers.getSetCookie().find((c) => c.includes('session_token='))).toMatch(/;\s*SameSite=Lax/i);
  });
});

describe('foreign hosts (DNS rebinding)', () => {
  it('are refused on every API path, reads included', async () => {
    for (const base of ['http://evil.test', 'http://127.0.0.1', 'http://app.test:8787']) {
      for (const path of ['/api/health', '/api/audiences']) {
        const res = await raw(path, {}, base);
        expect(res.status, `${base}${path}`).toBe(403);
        expect(res.body?.error.code).toBe('forbidden_origin');
        expect(JSON.stringify(res.body)).not.toContain('audiences":[');
      }
    }
    const write = await raw('/api/audiences', { method: 'POST', body: JSON.stringify({ name: 'x' }), headers: { 'content-type': 'application/json' } }, 'http://evil.test');
    expect(write.status).toBe(403);
  });

  it('are refused when only the Host header is foreign', async () => {
    const res = await raw('/api/audiences', { headers: { host: 'evil.test' } });
    expect(res.status).toBe(403);
  });

  it('answer on the configured origin', async () => {
    expect((await raw('/api/health')).status).toBe(200);
    expect((await call('GET', '/api/audiences')).status).toBe(200);
  });
});
