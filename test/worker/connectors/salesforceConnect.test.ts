import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CrmConnection } from '../../../shared/schema/crm.ts';
import { tokenCipher } from '../../../worker/connectors/tokenCipher.ts';
import { approveAtSalesforce, call, connect, createOrg, type FakeOrgHandle } from './fakeSalesforce.ts';

async function authorize(org: FakeOrgHandle, body: Record<string, unknown> = { loginHost: 'production' }): Promise<URL> {
  const res = await call(org, '/api/connections/salesforce/authorize', { json: body });
  expect(res.status).toBe(200);
  return new URL(((await res.json()) as { authorizeUrl: string }).authorizeUrl);
}

/** Where the callback sends the browser back to, as a URL on the SPA. */
async function landing(res: Response): Promise<URL> {
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '', 'http://spa');
}

async function connectionRow(id: string): Promise<Record<string, unknown>> {
  const row = await env.DB.prepare('SELECT * FROM crm_connections WHERE id = ?').bind(id).first();
  if (!row) throw new Error(`no row ${id}`);
  return row;
}

describe('POST /api/connections/salesforce/authorize', () => {
  it('sends the user to Salesforce with PKCE (S256), a fresh state, our client id and callback', async () => {
    const org = await createOrg();
    const url = await authorize(org);
    expect(`${url.origin}${url.pathname}`).toBe(`${org.loginUrl}/services/oauth2/authorize`);
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe(env.SALESFORCE_CLIENT_ID);
    expect(p.get('redirect_uri')).toBe('http://localhost/api/connections/salesforce/callback');
    expect(p.get('code_challenge_method')).toBe('S256');
    // base64url of a SHA-256 digest: 43 characters, no padding.
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('scope')?.split(' ').sort()).toEqual(['api', 'refresh_token']);

    const second = await authorize(org);
    expect(second.searchParams.get('state')).not.toBe(p.get('state'));
    expect(second.searchParams.get('code_challenge')).not.toBe(p.get('code_challenge'));

    // The verifier is kept server-side, sealed, for the callback only.
    const row = await env.DB.prepare('SELECT * FROM crm_oauth_states WHERE state = ?').bind(p.get('state')).first<Record<string, string>>();
    expect(row?.workspace_id).toBe('default');
    expect(row?.login_url).toBe(org.loginUrl);
    const verifier = tokenCipher(env).open(row?.code_verifier_sealed ?? '');
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const challenge = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(challenge).toBe(p.get('code_challenge'));
    expect(Object.values(row ?? {})).not.toContain(verifier);
    const ttl = Date.parse(row?.expires_at ?? '') - Date.now();
    expect(ttl).toBeGreaterThan(5 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
  });

  it('logs in at the sandbox host or the org’s My Domain, and refuses other hosts', async () => {
    const org = await createOrg();
    const sandbox = await authorize(org, { loginHost: 'sandbox' });
    expect(sandbox.origin).toBe('https://test.salesforce.com');
    const myDomain = await authorize(org, { loginHost: 'https://Acme--UAT.sandbox.my.salesforce.com/' });
    expect(`${myDomain.origin}${myDomain.pathname}`).toBe('https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize');
    for (const loginHost of ['https://evil.example', 'http://acme.my.salesforce.com', 'https://acme.my.salesforce.com.evil.example', 42]) {
      const res = await call(org, '/api/connections/salesforce/authorize', { json: { loginHost } });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: { path: string[] }[] } };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details[0]?.path).toEqual(['loginHost']);
    }
  });

  it('reconnects only connections of this workspace', async () => {
    const org = await createOrg();
    const res = await call(org, '/api/connections/salesforce/authorize', { json: { loginHost: 'production', connectionId: 'nope' } });
    expect(res.status).toBe(404);
  });
});

describe('GET /api/connections/salesforce/callback', () => {
  it('exchanges the code (with the verifier), stores the tokens sealed, and lists the org and user', async () => {
    const org = await createOrg({ orgName: 'Globex Corporation' });
    const id = await connect(org);
    const stats = await org.stats();
    expect(stats.tokenGrants.authorization_code).toBe(1);

    const list = CrmConnection.array().parse(await (await call(org, '/api/connections')).json());
    const mine = list.find((c) => c.id === id);
    expect(mine).toMatchObject({ kind: 'salesforce', orgName: 'Globex Corporation', userName: org.userName, instanceUrl: org.instanceUrl, status: 'connected', lastImportAt: null });
    // Tokens never leave the Worker.
    const listed = JSON.stringify(list);
    for (const t of [...stats.issuedAccessTokens, ...stats.issuedRefreshTokens]) expect(listed).not.toContain(t);

    // D1 holds them only sealed: no column of any row contains a token, and opening the seals gives them back.
    const row = await connectionRow(id);
    const dump = JSON.stringify(await env.DB.prepare('SELECT * FROM crm_connections').all());
    for (const t of [...stats.issuedAccessTokens, ...stats.issuedRefreshTokens]) expect(dump).not.toContain(t);
    expect(tokenCipher(env).open(String(row.access_token_sealed))).toBe(stats.issuedAccessTokens[0]);
    expect(tokenCipher(env).open(String(row.refresh_token_sealed))).toBe(stats.issuedRefreshTokens[0]);
    expect(row).toMatchObject({ org_id: org.orgId, user_id: org.userId, login_url: org.loginUrl, workspace_id: 'default' });
  });

  it('completes a login once: a replayed or unknown state finds nothing', async () => {
    const org = await createOrg();
    const url = await authorize(org);
    const callback = await approveAtSalesforce(url.toString());
    expect((await landing(await call(org, callback))).searchParams.get('connected')).toBeTruthy();
    expect((await landing(await call(org, callback))).searchParams.get('error')).toBe('login_expired');
    expect((await landing(await call(org, '/api/connections/salesforce/callback?code=x&state=forged'))).searchParams.get('error')).toBe('login_expired');
    expect((await landing(await call(org, '/api/connections/salesforce/callback?code=x'))).searchParams.get('error')).toBe('invalid_state');
    expect((await org.stats()).tokenGrants.authorization_code).toBe(1);
  });

  it('tells the SPA when the user declined, and stores nothing', async () => {
    const org = await createOrg();
    const state = (await authorize(org)).searchParams.get('state') ?? '';
    const res = await call(org, `/api/connections/salesforce/callback?error=access_denied&error_description=end-user+denied+authorization&state=${state}`);
    const back = await landing(res);
    expect(back.pathname).toBe('/connections');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM crm_connections WHERE org_id = ?').bind(org.orgId).first('n')).toBe(0);
  });

  it('refuses a login whose PKCE verifier does not match the challenge', async () => {
    const org = await createOrg();
    const url = await authorize(org);
    // Swap in a challenge we do not hold the verifier of: Salesforce must refuse the code exchange.
    url.searchParams.set('code_challenge', 'A'.repeat(43));
    const back = await landing(await call(org, await approveAtSalesforce(url.toString())));
    expect(back.searchParams.get('error')).toBe('crm_auth_failed');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM crm_connections WHERE org_id = ?').bind(org.orgId).first('n')).toBe(0);
  });

  it('ignores a state that another workspace started', async () => {
    const org = await createOrg();
    await env.DB.prepare("INSERT OR IGNORE INTO workspaces (id, name) VALUES ('other', 'Other')").run();
    const url = await authorize(org);
    const state = url.searchParams.get('state');
    await env.DB.prepare("UPDATE crm_oauth_states SET workspace_id = 'other' WHERE state = ?").bind(state).run();
    const back = await landing(await call(org, await approveAtSalesforce(url.toString())));
    expect(back.searchParams.get('error')).toBe('login_expired');
    expect((await org.stats()).tokenGrants.authorization_code).toBe(0);
  });

  it('connecting the same org and user again updates that connection instead of adding one', async () => {
    const org = await createOrg();
    const first = await connect(org);
    const again = await connect(org);
    expect(again).toBe(first);
    const reconnect = await connect(org, { loginHost: 'production', connectionId: first });
    expect(reconnect).toBe(first);
    const stats = await org.stats();
    expect(tokenCipher(env).open(String((await connectionRow(first)).access_token_sealed))).toBe(stats.issuedAccessTokens.at(-1));
    expect(await env.DB.prepare('SELECT count(*) AS n FROM crm_connections WHERE org_id = ?').bind(org.orgId).first('n')).toBe(1);
  });

  it('refuses to reconnect a connection to a different org', async () => {
    const orgA = await createOrg();
    const orgB = await createOrg();
    const id = await connect(orgA);
    const res = await call(orgB, '/api/connections/salesforce/authorize', { json: { loginHost: 'production', connectionId: id } });
    const { authorizeUrl } = (await res.json()) as { authorizeUrl: string };
    const back = await landing(await call(orgB, await approveAtSalesforce(authorizeUrl)));
    expect(back.searchParams.get('error')).toBe('different_account');
    expect((await connectionRow(id)).org_id).toBe(orgA.orgId);
  });
});

describe('a server without Salesforce credentials', () => {
  it('says so instead of sending users to a login that cannot work', async () => {
    const org = await createOrg();
    const unconfigured = { ...org.env, SALESFORCE_CLIENT_ID: '' } as Env;
    const res = await call(org, '/api/connections/salesforce/authorize', { json: { loginHost: 'production' } }, unconfigured);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(503);
    expect(body.error).toMatchObject({ code: 'crm_not_configured', message: expect.stringContaining('SALESFORCE_CLIENT_ID') });
    const back = await landing(await call(org, '/api/connections/salesforce/callback?code=x&state=y', {}, unconfigured));
    expect(back.searchParams.get('error')).toBe('crm_not_configured');
  });
});
