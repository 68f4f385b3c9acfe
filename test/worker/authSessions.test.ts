import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Member } from '../../shared/schema/auth.ts';
import type { ApiErrorBody } from '../../shared/schema/errors.ts';
import app from '../../worker/app.ts';
import { MAX_PENDING_PER_WORKSPACE } from '../../worker/connectors/store/oauthStates.ts';
import { approveAtSalesforce, call as callOrg, createOrg } from './connectors/fakeSalesforce.ts';
import { callAs, ok, requestAsAdmin, sessionFor } from './support/api.ts';

const memberOf = async (email: string) => (await ok<Member[]>('GET', '/api/members')).find((m) => m.email === email);

describe('a member’s session follows their seat', () => {
  it('stops working for the workspace at once when the member is removed, and a role change applies on the next request', async () => {
    await sessionFor('marketer');
    const marketer = await memberOf('marketer@test.example');
    if (!marketer) throw new Error('no marketer');
    expect((await callAs('marketer', 'POST', '/api/audiences', { name: 'Before' })).status).toBe(201);

    await ok('PUT', `/api/members/${marketer.id}/role`, { role: 'viewer' });
    const demoted = await callAs<ApiErrorBody>('marketer', 'POST', '/api/audiences', { name: 'After' });
    expect(demoted.status).toBe(403);
    expect(demoted.body.error.code).toBe('forbidden');
    expect((await callAs('marketer', 'GET', '/api/audiences')).status).toBe(200);

    expect((await call('DELETE', `/api/members/${marketer.id}`)).status).toBe(204);
    const removed = await callAs<ApiErrorBody>('marketer', 'GET', '/api/audiences');
    expect(removed.status).toBe(403);
    expect(removed.body.error.message).toMatch(/not a member of any workspace/);
    // The session itself stays (the person may belong elsewhere), but acts for no workspace it has no seat in.
    const cookie = await sessionFor('marketer');
    const token = decodeURIComponent(cookie.split('=')[1] ?? '').split('.')[0];
    const session = await env.DB.prepare(`SELECT "activeOrganizationId" AS active FROM "session" WHERE token = ?`).bind(token).first();
    expect(session).toEqual({ active: null });
  });
});

async function call(method: string, path: string) {
  return callAs('admin', method, path);
}

describe('CRM sign-ins', () => {
  it('sends a browser whose session expired during the CRM sign-in to sign in, then finishes the sign-in', async () => {
    const org = await createOrg();
    const start = await callOrg(org, '/api/connections/salesforce/authorize', { json: { loginHost: 'production' } });
    expect(start.status).toBe(200);
    const callback = await approveAtSalesforce(((await start.json()) as { authorizeUrl: string }).authorizeUrl);

    // Back from Salesforce without a session (it expired, or the person signed out meanwhile): not a JSON 401.
    const signedOut = await app.request(callback, org.browser.send({}), org.env);
    expect(signedOut.status).toBe(302);
    const signIn = new URL(signedOut.headers.get('location') ?? '', 'http://localhost');
    expect(signIn.pathname).toBe('/sign-in');
    const next = signIn.searchParams.get('next') ?? '';
    expect(next).toBe(callback);

    // Signed in again, the SPA sends the browser to `next`: the same pending sign-in completes.
    const back = org.browser.take(await requestAsAdmin(next, org.browser.send({}), org.env));
    expect(back.status).toBe(302);
    expect(new URL(back.headers.get('location') ?? '', 'http://localhost').searchParams.get('connected')).toBeTruthy();
  });

  it(`keeps at most ${MAX_PENDING_PER_WORKSPACE} pending CRM sign-ins per workspace, and says when to come back`, async () => {
    const org = await createOrg();
    await env.DB.prepare(`DELETE FROM crm_oauth_states WHERE workspace_id = 'default'`).run();
    for (let i = 0; i < MAX_PENDING_PER_WORKSPACE; i++) {
      expect((await callOrg(org, '/api/connections/salesforce/authorize', { json: { loginHost: 'production' } })).status).toBe(200);
    }
    const refused = await callOrg(org, '/api/connections/salesforce/authorize', { json: { loginHost: 'production' } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as ApiErrorBody;
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/already waiting to be finished/);
    const pending = await env.DB.prepare(`SELECT count(*) AS n FROM crm_oauth_states WHERE workspace_id = 'default'`).first<{ n: number }>();
    expect(pending?.n).toBe(MAX_PENDING_PER_WORKSPACE);

    // Expired ones make room again.
    await env.DB.prepare(`UPDATE crm_oauth_states SET expires_at = '2000-01-01T00:00:00.000Z' WHERE workspace_id = 'default'`).run();
    expect((await callOrg(org, '/api/connections/salesforce/authorize', { json: { loginHost: 'production' } })).status).toBe(200);
  });
});
