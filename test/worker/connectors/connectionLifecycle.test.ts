import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { ReconnectResponse } from '../../../shared/schema/connections.ts';
import { requestAsAdmin } from '../support/api.ts';
import { fakeDataverse } from '../../servers/dynamics/fakeControls.ts';
import { CookieJar } from './cookieJar.ts';
import { approveAtSalesforce, call, connect, createOrg } from './fakeSalesforce.ts';

// The one connection lifecycle (worker/routes/connections.ts), the same for every CRM: missing settings, the browser
// binding of a sign-in, and reconnecting each kind of connection as the same account.

const fakeUrl = inject('dynamicsUrl');
const dynamicsEnv = () => ({ ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl }) as Env;

/** One admin's browser against the Worker, Dynamics 365 settings pointed at the fake for `tenant`. */
function dynamicsBrowser(tenant: string, bindings: Env = dynamicsEnv()) {
  const jar = new CookieJar();
  const request = async (method: string, path: string, body?: unknown) =>
    jar.take(
      // Like the SPA (web/api/request.ts): every call says JSON, so a body-less POST (reconnect) passes the CSRF guard.
      await requestAsAdmin(path, jar.send({ method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }), bindings),
    );
  return {
    jar,
    request,
    /** Follows an authorize URL through the fake's sign-in back to our callback; the landing URL in the SPA. */
    async signIn(authorizeUrl: string): Promise<URL> {
      const atMicrosoft = await fetch(authorizeUrl, { redirect: 'manual' });
      const callback = new URL(atMicrosoft.headers.get('Location') ?? '');
      const landed = await request('GET', `${callback.pathname}${callback.search}`);
      expect(landed.status).toBe(302);
      return new URL(landed.headers.get('Location') ?? '', 'http://spa');
    },
  };
}

const rowOf = (id: string) => env.DB.prepare('SELECT * FROM crm_connections WHERE id = ?').bind(id).first<Record<string, unknown>>();
const countOf = async (kind: string) => (await env.DB.prepare('SELECT count(*) AS n FROM crm_connections WHERE kind = ?').bind(kind).first<number>('n')) ?? 0;

describe('a server without the settings of a CRM', () => {
  it('answers authorize the same way for every CRM', async () => {
    const unconfigured = { ...env, SALESFORCE_CLIENT_ID: '', DYNAMICS_CLIENT_ID: '' } as Env;
    const post = (path: string, body: unknown) =>
      requestAsAdmin(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, unconfigured);
    const salesforce = await post('/api/connections/salesforce/authorize', { loginHost: 'production' });
    const dynamics = await post('/api/connections/dynamics/authorize', { environmentUrl: 'https://contoso.crm.dynamics.com' });
    const dynamicsApp = await post('/api/connections/dynamics/app', { environmentUrl: 'https://contoso.crm.dynamics.com', tenant: 'contoso.onmicrosoft.com' });
    expect([salesforce.status, dynamics.status, dynamicsApp.status]).toEqual([503, 503, 503]);
    const bodies = (await Promise.all([salesforce.json(), dynamics.json(), dynamicsApp.json()])) as { error: { code: string; message: string } }[];
    expect(bodies.map((b) => b.error.code)).toEqual(['crm_not_configured', 'crm_not_configured', 'crm_not_configured']);
    expect(bodies[0]?.error.message).toContain('SALESFORCE_CLIENT_ID');
    expect(bodies[1]?.error.message).toContain('DYNAMICS_CLIENT_ID');
  });

  it('sends a browser coming back from Microsoft to the app with a reason, not to a JSON error page', async () => {
    const unconfigured = { ...env, DYNAMICS_CLIENT_SECRET: '' } as Env;
    const res = await requestAsAdmin('/api/connections/dynamics/callback?code=abc&state=def', {}, unconfigured);
    expect(res.status).toBe(302);
    const landed = new URL(res.headers.get('Location') ?? '', 'http://spa');
    expect(landed.pathname).toBe('/connections');
    expect(landed.searchParams.get('error')).toBe('crm_not_configured');
  });

  it('sends a callback for a CRM it does not know back to the app too', async () => {
    const res = await requestAsAdmin('/api/connections/hubspot/callback?code=abc&state=def', {}, env);
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('Location') ?? '', 'http://spa').searchParams.get('error')).toBe('invalid_state');
  });
});

describe('a sign-in belongs to the browser that started it', () => {
  it('sets an HttpOnly SameSite cookie, and completes nothing for a callback without it', async () => {
    const org = await createOrg();
    const start = await call(org, '/api/connections/salesforce/authorize', { json: { loginHost: 'production' } });
    const cookie = start.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^crm_signin_[A-Za-z0-9_-]{16}=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/api\/connections\/salesforce\/callback/);
    const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
    const callback = await approveAtSalesforce(authorizeUrl);
    // Another browser (no cookie, or another one's) opening the same callback URL.
    const elsewhere = await requestAsAdmin(callback, {}, org.env);
    expect(new URL(elsewhere.headers.get('Location') ?? '', 'http://spa').searchParams.get('error')).toBe('login_expired');
    expect((await org.stats()).tokenGrants.authorization_code).toBe(0);
  });
});

describe('reconnecting keeps the connection and insists on the same account', () => {
  it('Salesforce: starts a sign-in at the connection’s login host and comes back to the same connection', async () => {
    const org = await createOrg();
    const id = await connect(org);
    await env.DB.prepare("UPDATE crm_connections SET status = 'needs_reauth' WHERE id = ?").bind(id).run();
    const res = await call(org, `/api/connections/${id}/reconnect`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const answer = ReconnectResponse.parse(await res.json());
    if (!('authorizeUrl' in answer)) throw new Error('expected an interactive sign-in');
    expect(new URL(answer.authorizeUrl).origin).toBe(new URL(org.loginUrl).origin);
    const back = new URL((await call(org, await approveAtSalesforce(answer.authorizeUrl))).headers.get('location') ?? '', 'http://spa');
    expect(back.searchParams.get('connected')).toBe(id);
    expect(await rowOf(id)).toMatchObject({ status: 'connected', org_id: org.orgId });
  });

  it('Dynamics 365 (signed-in admin): same account → same connection; another user → refused, nothing changed', async () => {
    const tenant = crypto.randomUUID();
    const fake = fakeDataverse(fakeUrl, tenant);
    const admin = dynamicsBrowser(tenant);
    const start = await admin.request('POST', '/api/connections/dynamics/authorize', { environmentUrl: fakeUrl, tenant });
    const id = (await admin.signIn(((await start.json()) as { authorizeUrl: string }).authorizeUrl)).searchParams.get('connected') ?? '';
    expect(id).not.toBe('');
    const before = await countOf('dynamics');

    const again = ReconnectResponse.parse(await (await admin.request('POST', `/api/connections/${id}/reconnect`)).json());
    if (!('authorizeUrl' in again)) throw new Error('expected an interactive sign-in');
    const authorize = new URL(again.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${fakeUrl}/${tenant}/oauth2/v2.0/authorize`);
    expect(authorize.searchParams.get('scope')).toBe(`${fakeUrl}/user_impersonation offline_access`);
    expect((await admin.signIn(again.authorizeUrl)).searchParams.get('connected')).toBe(id);

    await fake.control({ signInAs: 1 });
    const other = ReconnectResponse.parse(await (await admin.request('POST', `/api/connections/${id}/reconnect`)).json());
    if (!('authorizeUrl' in other)) throw new Error('expected an interactive sign-in');
    expect((await admin.signIn(other.authorizeUrl)).searchParams.get('error')).toBe('different_account');
    expect(await countOf('dynamics')).toBe(before);
    expect(await rowOf(id)).toMatchObject({ user_name: 'Nancy Admin', auth_flow: 'authorization_code' });
  });

  it('Dynamics 365 (app registration): re-validates the credentials at once, without any interactive sign-in', async () => {
    const tenant = crypto.randomUUID();
    const fake = fakeDataverse(fakeUrl, tenant);
    const admin = dynamicsBrowser(tenant);
    const created = await admin.request('POST', '/api/connections/dynamics/app', { environmentUrl: fakeUrl, tenant });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await env.DB.prepare("UPDATE crm_connections SET status = 'needs_reauth' WHERE id = ?").bind(id).run();
    await fake.control({ clearLog: true });

    const res = await admin.request('POST', `/api/connections/${id}/reconnect`);
    expect(res.status).toBe(200);
    const answer = ReconnectResponse.parse(await res.json());
    expect(answer).toEqual({ connection: expect.objectContaining({ id, kind: 'dynamics', status: 'connected', userName: '# audience-import' }) });
    expect((await fake.log()).tokenRequests.map((t) => t.grant_type)).toEqual(['client_credentials']);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await rowOf(id)).toMatchObject({ status: 'connected', auth_flow: 'client_credentials', refresh_token_sealed: null });
  });

  it('Dynamics 365 (app registration): a secret Microsoft no longer accepts leaves the connection as it was', async () => {
    const tenant = crypto.randomUUID();
    const admin = dynamicsBrowser(tenant);
    const { id } = (await (await admin.request('POST', '/api/connections/dynamics/app', { environmentUrl: fakeUrl, tenant })).json()) as { id: string };
    await env.DB.prepare("UPDATE crm_connections SET status = 'needs_reauth' WHERE id = ?").bind(id).run();
    const wrongSecret = dynamicsBrowser(tenant, { ...dynamicsEnv(), DYNAMICS_CLIENT_SECRET: 'rotated' } as Env);
    const res = await wrongSecret.request('POST', `/api/connections/${id}/reconnect`);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'crm_auth_failed', details: { vendorCode: 'invalid_client', source: 'crm' } } });
    expect(await rowOf(id)).toMatchObject({ status: 'needs_reauth' });
  });

  it('refuses to reconnect a connection of another workspace or that does not exist', async () => {
    const res = await requestAsAdmin('/api/connections/nope/reconnect', { method: 'POST', headers: { 'content-type': 'application/json' } }, env);
    expect(res.status).toBe(404);
  });
});
