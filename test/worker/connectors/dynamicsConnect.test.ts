import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { requestAsAdmin } from '../support/api.ts';
import { fakeDataverse } from '../../servers/dynamics/fakeControls.ts';
import { CookieJar } from './cookieJar.ts';

const fakeUrl = inject('dynamicsUrl');
const tenant = crypto.randomUUID();
const fake = fakeDataverse(fakeUrl, tenant);
// Configuration, as a deployment sets it: Microsoft's authority is the fake, and the fake's origin is a trusted environment.
const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl };

// The admin's browser: the sign-in cookie set by authorize goes back with the callback.
const browser = new CookieJar();
const post = async (path: string, body: unknown, bindings: Env = testEnv) =>
  browser.take(await requestAsAdmin(path, browser.send({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }), bindings));
const get = async (path: string) => browser.take(await requestAsAdmin(path, browser.send(), testEnv));

type ConnectionRow = Record<string, unknown> & { id: string; status: string; auth_flow: string; login_url: string; workspace_id: string };
const rows = async () => (await env.DB.prepare("SELECT * FROM crm_connections WHERE kind = 'dynamics'").all<ConnectionRow>()).results;

describe('client credentials (app registration)', () => {
  it('connects, names the org and the application user, and stores tokens only sealed', async () => {
    const res = await post('/api/connections/dynamics/app', { environmentUrl: `${fakeUrl}/`, tenant });
    expect(res.status).toBe(201);
    const connection = (await res.json()) as Record<string, unknown>;
    expect(connection).toMatchObject({ kind: 'dynamics', instanceUrl: fakeUrl, orgName: 'Contoso (sample)', userName: '# audience-import', status: 'connected' });
    const [row] = await rows();
    expect(row).toMatchObject({ id: connection.id, auth_flow: 'client_credentials', login_url: `${fakeUrl}/${tenant}`, workspace_id: 'default', refresh_token_sealed: null });
    const stored = JSON.stringify(row);
    const issued = await fake.issuedTokens();
    expect(issued.length).toBeGreaterThan(0);
    for (const token of issued) expect(stored).not.toContain(token);
    const log = await fake.log();
    expect(log.tokenRequests).toContainEqual({ grant_type: 'client_credentials', scope: `${fakeUrl}/.default` });
  });

  it('refuses environments outside Dataverse domains and tenants that could bend the authority path', async () => {
    const evil = await post('/api/connections/dynamics/app', { environmentUrl: 'https://evil.example.com', tenant });
    expect(evil.status).toBe(400);
    expect(await evil.json()).toMatchObject({ error: { code: 'validation_failed', details: [{ path: ['environmentUrl'] }] } });
    const plainHttp = await post('/api/connections/dynamics/app', { environmentUrl: 'http://contoso.crm.dynamics.com', tenant });
    expect(plainHttp.status).toBe(400);
    const badTenant = await post('/api/connections/dynamics/app', { environmentUrl: fakeUrl, tenant: '../common' });
    expect(badTenant.status).toBe(400);
    const organizations = await post('/api/connections/dynamics/app', { environmentUrl: fakeUrl, tenant: 'organizations' });
    expect(organizations.status).toBe(400);
  });

  it("reports Microsoft's refusal of a wrong client secret, keeping its error code", async () => {
    const res = await post('/api/connections/dynamics/app', { environmentUrl: fakeUrl, tenant }, { ...testEnv, DYNAMICS_CLIENT_SECRET: 'wrong' });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string; details: { vendorCode: string; vendorMessage: string } } };
    expect(body.error.code).toBe('crm_auth_failed');
    expect(body.error.details.vendorCode).toBe('invalid_client');
    expect(body.error.details.vendorMessage).toContain('AADSTS7000215');
  });
});

describe('authorization code with PKCE (signed-in admin)', () => {
  let authorizeUrl: URL;

  beforeAll(async () => {
    const res = await post('/api/connections/dynamics/authorize', { environmentUrl: fakeUrl, tenant });
    expect(res.status).toBe(200);
    authorizeUrl = new URL(((await res.json()) as { authorizeUrl: string }).authorizeUrl);
  });

  it('sends the admin to the tenant authority with state, an S256 challenge and the environment scope', () => {
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${fakeUrl}/${tenant}/oauth2/v2.0/authorize`);
    const q = authorizeUrl.searchParams;
    expect(q.get('client_id')).toBe('fake-dynamics-client-id');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe('http://localhost/api/connections/dynamics/callback');
    expect(q.get('scope')).toBe(`${fakeUrl}/user_impersonation offline_access`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // One state generator for every CRM (worker/connectors/oauth/pkce.ts): 256 random bits, base64url.
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.has('client_secret')).toBe(false);
  });

  it('exchanges the code with the verifier, stores sealed tokens with a refresh token, and refuses a replayed state', async () => {
    const signIn = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(signIn.status).toBe(302);
    const callback = new URL(signIn.headers.get('Location') ?? '');
    const res = await get(`${callback.pathname}${callback.search}`);
    expect(res.status).toBe(302);
    const landed = new URL(res.headers.get('Location') ?? '', 'http://localhost');
    expect(landed.pathname).toBe('/connections');
    const id = landed.searchParams.get('connected');
    expect(id).toBeTruthy();

    const row = (await rows()).find((r) => r.id === id);
    expect(row).toMatchObject({ auth_flow: 'authorization_code', user_name: 'Nancy Admin', org_name: 'Contoso (sample)', status: 'connected' });
    expect(row?.refresh_token_sealed).toEqual(expect.any(String));
    const stored = JSON.stringify(row);
    for (const token of await fake.issuedTokens()) expect(stored).not.toContain(token);
    expect((await fake.log()).tokenRequests).toContainEqual({ grant_type: 'authorization_code', scope: `${fakeUrl}/user_impersonation offline_access` });

    const replay = await get(`${callback.pathname}${callback.search}`);
    expect(new URL(replay.headers.get('Location') ?? '', 'http://localhost').searchParams.get('error')).toBe('login_expired');
  });

  it('sends the user back with the reason when they decline consent', async () => {
    const start = await post('/api/connections/dynamics/authorize', { environmentUrl: fakeUrl, tenant: 'organizations' });
    const state = new URL(((await start.json()) as { authorizeUrl: string }).authorizeUrl).searchParams.get('state') ?? '';
    const res = await get(`/api/connections/dynamics/callback?error=access_denied&error_description=AADSTS65004&state=${state}`);
    expect(new URL(res.headers.get('Location') ?? '', 'http://localhost').searchParams.get('error')).toBe('access_denied');
  });
});
