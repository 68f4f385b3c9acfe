import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MICROSOFT_TEST_APP } from '../servers/identity/controlTypes.ts';
import { type IdentityServer, startIdentityServer } from '../servers/identity/server.ts';
import { openBrowser, type OpenBrowser, screenshot } from './chromium.ts';
import { type AppServer, startAppServer } from './startServer.ts';
import { adminFetch, ensureTestAdmin } from './testAccount.ts';

// A server of its own, pointed at the identity stand-ins (test/servers/identity): single sign-on is set up by
// settings the shared server does not have.
let idp: IdentityServer;
let server: AppServer;
let browser: OpenBrowser;

beforeAll(async () => {
  idp = await startIdentityServer();
  server = await startAppServer([
    '--var', `MICROSOFT_SSO_CLIENT_ID:${MICROSOFT_TEST_APP.clientId}`,
    '--var', `MICROSOFT_SSO_CLIENT_SECRET:${MICROSOFT_TEST_APP.clientSecret}`,
    '--var', `MICROSOFT_SSO_TENANT_ID:${MICROSOFT_TEST_APP.tenantId}`,
    '--var', `MICROSOFT_SSO_AUTHORITY_URL:${idp.url}/microsoft`,
  ]);
  await ensureTestAdmin(server.baseUrl);
  browser = await openBrowser(server.baseUrl, { signedIn: false });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.close();
});

async function identityUser(email: string, name: string): Promise<void> {
  const res = await fetch(`${idp.url}/__control/users`, { method: 'POST', body: JSON.stringify({ flavour: 'microsoft', email, name }) });
  expect(res.status).toBe(201);
}

describe('single sign-on in the browser', () => {
  it('signs an invited marketer in with Microsoft, and tells an uninvited one why not', async () => {
    const invited = await adminFetch(server.baseUrl, '/api/members/invitations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'maria@contoso.example', role: 'marketer' }),
    });
    expect(invited.status).toBe(201);
    await identityUser('maria@contoso.example', 'Maria Entra');
    await identityUser('stranger@contoso.example', 'Stan Ranger');

    const { page } = browser;
    await page.goto('/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
    // Only the providers this server is set up for.
    expect(await page.getByRole('button', { name: 'Sign in with Salesforce' }).count()).toBe(0);
    await screenshot(page, 'auth-sso-sign-in');

    // The uninvited person first: back on the sign-in page, told why, and not signed in.
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.getByRole('heading', { name: 'Sign in to your Microsoft account' }).waitFor();
    await page.getByLabel('Email').fill('stranger@contoso.example');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in' && url.searchParams.has('error'));
    const refusal = page.locator('.sso-problem');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('You signed in as stranger@contoso.example, but no workspace on this server has invited that address.');
    await screenshot(page, 'auth-sso-not-invited');
    expect((await page.request.get('/api/audiences')).status()).toBe(401);

    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.getByRole('heading', { name: 'Sign in to your Microsoft account' }).waitFor();
    await page.getByLabel('Email').fill('maria@contoso.example');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/import');
    await page.locator('.role-badge').waitFor();
    expect((await page.locator('.role-badge').textContent())?.trim()).toBe('Marketer');
    expect(await page.locator('.account-menu').textContent()).toContain('Test workspace');
    await screenshot(page, 'auth-sso-signed-in');
  });
});
