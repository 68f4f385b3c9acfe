import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { Invitation, SessionInfo } from '../../shared/schema/auth.ts';
import app from '../../worker/app.ts';
import { MICROSOFT_TEST_APP, SALESFORCE_TEST_APP, type CreateIdentityUser, type Flavour, type IdentityUser } from '../servers/identity/controlTypes.ts';
import { CookieJar } from './connectors/cookieJar.ts';
import { ok } from './support/api.ts';

// The Worker pointed at the identity stand-ins (test/servers/identity): one bindings object for the file, so the
// app builds its auth (and reads the providers' discovery documents) once.
const idp = inject('identityUrl');
const ssoEnv = {
  ...env,
  MICROSOFT_SSO_CLIENT_ID: MICROSOFT_TEST_APP.clientId,
  MICROSOFT_SSO_CLIENT_SECRET: MICROSOFT_TEST_APP.clientSecret,
  MICROSOFT_SSO_TENANT_ID: MICROSOFT_TEST_APP.tenantId,
  MICROSOFT_SSO_AUTHORITY_URL: `${idp}/microsoft`,
  SALESFORCE_SSO_CLIENT_ID: SALESFORCE_TEST_APP.clientId,
  SALESFORCE_SSO_CLIENT_SECRET: SALESFORCE_TEST_APP.clientSecret,
  SALESFORCE_SSO_LOGIN_URL: `${idp}/salesforce`,
} as Env;

async function identityUser(request: CreateIdentityUser): Promise<IdentityUser> {
  const res = await fetch(`${idp}/__control/users`, { method: 'POST', body: JSON.stringify(request) });
  if (res.status !== 201) throw new Error(`the stand-in refused the user: ${res.status}`);
  return (await res.json()) as IdentityUser;
}

/** A browser: its cookies go with every request to the app, as they would. */
class Browser {
  readonly jar = new CookieJar();
  async get(path: string): Promise<Response> {
    return this.jar.take(await app.request(path, this.jar.send({ redirect: 'manual' }), ssoEnv));
  }
  async post(path: string, body: unknown): Promise<Response> {
    const init = { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://localhost' }, body: JSON.stringify(body) };
    return this.jar.take(await app.request(path, this.jar.send(init), ssoEnv));
  }
  async session(): Promise<SessionInfo> {
    return (await (await this.get('/api/session')).json()) as SessionInfo;
  }
  /** "Sign in with …": where the app sends the browser. */
  async start(provider: Flavour, loginHint: string): Promise<URL> {
    const res = await this.post('/api/auth/sign-in/social', { provider, callbackURL: '/import', errorCallbackURL: '/sign-in', loginHint });
    expect(res.status).toBe(200);
    return new URL(((await res.json()) as { url: string }).url);
  }
}

/** The person signs in at the identity provider, which sends the browser back to the app's callback. */
async function approve(authorizeUrl: URL): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`the stand-in did not sign in: ${res.status} ${await res.text()}`);
  const back = new URL(location);
  return `${back.pathname}${back.search}`;
}

/** Where the callback sends the browser, and whether it now holds a session. */
async function land(browser: Browser, callback: string): Promise<{ landing: URL; session: SessionInfo }> {
  const res = await browser.get(callback);
  expect(res.status).toBe(302);
  return { landing: new URL(res.headers.get('location') ?? '', 'http://localhost'), session: await browser.session() };
}

async function signInThrough(provider: Flavour, user: IdentityUser, browser = new Browser()) {
  return { browser, ...(await land(browser, await approve(await browser.start(provider, user.loginHint)))) };
}

const invite = (email: string, role: 'marketer' | 'viewer' = 'marketer') => ok<Invitation>('POST', '/api/members/invitations', { email, role });
const userRow = (email: string) => env.DB.prepare('SELECT id, "emailVerified" FROM "user" WHERE email = ?').bind(email.toLowerCase()).first();

describe('single sign-on', () => {
  it('offers the configured providers on the sign-in page', async () => {
    expect((await new Browser().session()).singleSignOn).toEqual(['microsoft', 'salesforce']);
  });

  it('signs an invited person in with Microsoft: code + PKCE (S256), state and nonce, the id_token checked against the JWKS', async () => {
    await invite('maria@contoso.example');
    const user = await identityUser({ flavour: 'microsoft', email: 'maria@contoso.example', name: 'Maria Entra' });
    const browser = new Browser();
    const authorize = await browser.start('microsoft', user.loginHint);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${idp}/microsoft/${MICROSOFT_TEST_APP.tenantId}/oauth2/v2.0/authorize`);
    const p = authorize.searchParams;
    expect(p.get('client_id')).toBe(MICROSOFT_TEST_APP.clientId);
    expect(p.get('response_type')).toBe('code');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('state')).toBeTruthy();
    expect(p.get('nonce')).toBeTruthy();
    expect(p.get('redirect_uri')).toBe('http://localhost/api/auth/callback/microsoft');

    const { landing, session } = await land(browser, await approve(authorize));
    expect(landing.pathname).toBe('/import');
    expect(session.user).toMatchObject({ email: 'maria@contoso.example', name: 'Maria Entra', emailVerified: true });
    expect(session.workspace).toMatchObject({ id: 'default', role: 'marketer' });
    const invitation = await env.DB.prepare(`SELECT status FROM workspace_invitations WHERE email = ?`).bind('maria@contoso.example').first();
    expect(invitation).toEqual({ status: 'accepted' });
  });

  it('signs an invited person in with Salesforce, and lets a member who already belongs sign in again', async () => {
    await invite('sam@acme.example', 'viewer');
    const user = await identityUser({ flavour: 'salesforce', email: 'sam@acme.example', name: 'Sam Force' });
    const first = await signInThrough('salesforce', user);
    expect(first.landing.pathname).toBe('/import');
    expect(first.session.user?.email).toBe('sam@acme.example');
    expect(first.session.workspace).toMatchObject({ id: 'default', role: 'viewer' });
    const account = await env.DB.prepare(`SELECT "accountId" FROM "account" WHERE "providerId" = 'salesforce'`).first<{ accountId: string }>();
    expect(account?.accountId).toBe(`${idp}/salesforce/id/${SALESFORCE_TEST_APP.orgId}/${user.id}`);

    // No invitation is pending any more: the seat they have is what lets them in.
    const again = await signInThrough('salesforce', user);
    expect(again.session.workspace).toMatchObject({ id: 'default', role: 'viewer' });
  });

  it('gives an uninvited person no seat, no session and no account, and says why', async () => {
    const stranger = await identityUser({ flavour: 'microsoft', email: 'stranger@contoso.example' });
    const { landing, session } = await signInThrough('microsoft', stranger);
    expect(landing.pathname).toBe('/sign-in');
    expect(landing.searchParams.get('error')).toBe('not_invited');
    expect(landing.searchParams.get('email')).toBe('stranger@contoso.example');
    expect(session.user).toBeNull();
    expect(await userRow('stranger@contoso.example')).toBeNull();

    const salesforceStranger = await identityUser({ flavour: 'salesforce', email: 'nobody@elsewhere.example' });
    const refused = await signInThrough('salesforce', salesforceStranger);
    expect(refused.landing.searchParams.get('error')).toBe('not_invited');
    expect(refused.session.user).toBeNull();
  });

  it('does not take an invitation with an address the identity provider does not vouch for', async () => {
    await invite('unverified@contoso.example');
    const user = await identityUser({ flavour: 'microsoft', email: 'unverified@contoso.example', emailVerified: false });
    const { landing, session } = await signInThrough('microsoft', user);
    expect(landing.searchParams.get('error')).toBe('email_not_verified');
    expect(session.user).toBeNull();
    const invitation = await env.DB.prepare(`SELECT status FROM workspace_invitations WHERE email = ?`).bind('unverified@contoso.example').first();
    expect(invitation).toEqual({ status: 'pending' });
  });

  for (const provider of ['microsoft', 'salesforce'] as const) {
    describe(`refuses a ${provider} sign-in that does not hold`, () => {
      it('when the code is redeemed with another sign-in’s PKCE verifier', async () => {
        await invite(`pkce-${provider}@example.com`);
        const user = await identityUser({ flavour: provider, email: `pkce-${provider}@example.com` });
        const victim = new Browser();
        const code = new URL(await approve(await victim.start(provider, user.loginHint)), 'http://localhost').searchParams.get('code');
        // The attacker's own sign-in (its state, its verifier) with the victim's intercepted code.
        const attacker = new Browser();
        const attackerState = (await attacker.start(provider, user.loginHint)).searchParams.get('state');
        const { landing, session } = await land(attacker, `/api/auth/callback/${provider}?${new URLSearchParams({ code: code ?? '', state: attackerState ?? '' })}`);
        expect(landing.pathname).toBe('/sign-in');
        expect(landing.searchParams.get('error')).toBe('invalid_code');
        expect(session.user).toBeNull();
      });

      it('when the code has expired', async () => {
        await invite(`late-${provider}@example.com`);
        const user = await identityUser({ flavour: provider, email: `late-${provider}@example.com`, fault: 'expired_code' });
        const { landing, session } = await signInThrough(provider, user);
        expect(landing.searchParams.get('error')).toBe('invalid_code');
        expect(session.user).toBeNull();
      });

      for (const fault of ['bad_signature', 'wrong_audience', 'wrong_issuer'] as const) {
        it(`when the id_token has a ${fault.replace('_', ' ')}`, async () => {
          const email = `${fault}-${provider}@example.com`.replace('_', '-');
          await invite(email);
          const user = await identityUser({ flavour: provider, email, fault });
          const { landing, session } = await signInThrough(provider, user);
          expect(landing.pathname).toBe('/sign-in');
          expect(landing.searchParams.get('error')).toBe('unable_to_get_user_info');
          expect(session.user).toBeNull();
          expect(await userRow(email)).toBeNull();
        });
      }

      it('when the callback comes back to another browser (state bound to the browser that started)', async () => {
        await invite(`other-browser-${provider}@example.com`);
        const user = await identityUser({ flavour: provider, email: `other-browser-${provider}@example.com` });
        const callback = await approve(await new Browser().start(provider, user.loginHint));
        const { landing, session } = await land(new Browser(), callback);
        expect(landing.pathname).toBe('/sign-in');
        expect(landing.searchParams.get('error')).toBeTruthy();
        expect(session.user).toBeNull();
      });
    });
  }
});
