import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type OpenBrowser, type Page, screenshot } from './chromium.ts';
import { type AppServer, startAppServer } from './startServer.ts';

// A server of its own: the first-run screen only exists while nobody has an account, and the shared server's
// global setup has already made one.
let server: AppServer;

/** The element's text once it is on screen. */
async function textOf(page: Page, selector: string): Promise<string> {
  const locator = page.locator(selector).first();
  await locator.waitFor();
  return (await locator.textContent())?.replace(/\s+/g, ' ').trim() ?? '';
}

let browser: OpenBrowser;

beforeAll(async () => {
  server = await startAppServer();
  browser = await openBrowser(server.baseUrl, { signedIn: false });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('accounts in the browser', () => {
  it('leads a newcomer from the first-run screen into the app, invites a marketer who joins with fewer rights', async () => {
    const { page } = browser;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Set up Audience import' }).waitFor();
    await page.getByLabel('Workspace name').fill('Acme marketing');
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('a long enough password');
    await screenshot(page, 'auth-first-run');
    await page.getByRole('button', { name: 'Create workspace and sign in' }).click();
    await page.waitForURL('**/import');
    expect(await textOf(page, '.account-menu')).toContain('Acme marketing');
    expect(await textOf(page, '.role-badge')).toMatch('Key contact');

    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByRole('heading', { name: 'Team' }).waitFor();
    await page.locator('.invite-form').getByLabel('Email').fill('mia@example.com');
    await page.locator('.invite-form').getByLabel('Role').selectOption('marketer');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('Invitation sent to mia@example.com.').waitFor();
    expect(await textOf(page, '.invite-form')).toContain('mia@example.com as Marketer');
    await page.getByLabel('Name', { exact: true }).fill('nightly export');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Copy the token now').waitFor();
    expect(await textOf(page, 'code.token')).toMatch(/^ait_/);
    // Scoped to the least role unless chosen otherwise.
    expect(await textOf(page, 'table[aria-label="API tokens"] tbody tr')).toContain('nightly export');
    expect(await textOf(page, 'table[aria-label="API tokens"] tbody tr')).toContain('Viewer');
    await screenshot(page, 'auth-members');

    await page.goto('/outbox');
    const invitation = page.locator('.outbox li', { hasText: 'You are invited' });
    const link = await invitation.getByRole('link', { name: 'Open the link' }).getAttribute('href');
    expect(link).toMatch(/\/invite\/[\w-]+$/);

    await page.locator('.user-menu summary').click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(page, '[role="alert"]')).toBe('Invalid email or password.');
    await screenshot(page, 'auth-sign-in');
    expect((await page.request.get('/api/audiences')).status()).toBe(401);

    await page.goto(link ?? '');
    await page.getByRole('heading', { name: 'Join Acme marketing' }).waitFor();
    await page.getByLabel('Your name').fill('Mia Marketer');
    await page.getByLabel('Password').fill('another long password');
    await page.getByRole('button', { name: 'Create account and join' }).click();
    // A seat needs a confirmed address: the confirmation link (in the local outbox) brings her back to join.
    await page.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
    await screenshot(page, 'auth-confirm-email');
    await page.goto('/outbox');
    const confirmation = page.locator('.outbox li', { hasText: 'Confirm your email address' }).filter({ hasText: 'mia@example.com' });
    const confirmLink = await confirmation.getByRole('link', { name: 'Open the link' }).first().getAttribute('href');
    await page.goto(confirmLink ?? '');
    await page.waitForURL('**/invite/**');
    await page.getByRole('button', { name: 'Join the workspace' }).click();
    await page.waitForURL('**/import');
    expect(await textOf(page, '.role-badge')).toMatch('Marketer');

    // The marketer imports, but manages neither members nor tokens: the page shows no such controls and the API refuses.
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByRole('table', { name: 'Team' }).getByText('Ada Admin').waitFor();
    expect(await page.locator('.invite-form').count()).toBe(0);
    const origin = new URL(server.baseUrl).origin;
    const invite = await page.request.post('/api/members/invitations', { data: { email: 'x@example.com', role: 'admin' }, headers: { origin } });
    expect(invite.status()).toBe(403);
    expect((await page.request.post('/api/audiences', { data: { name: 'Mia’s list' }, headers: { origin } })).status()).toBe(201);

    // Ada removes Mia: asked in the page first, "Keep it" changes nothing, the confirmation removes her seat.
    await page.locator('.user-menu summary').click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/import');
    await page.getByRole('link', { name: 'Team' }).click();
    const team = page.getByRole('table', { name: 'Team' });
    const miaRow = team.locator('tr', { hasText: 'Mia Marketer' });
    await miaRow.getByRole('button', { name: 'Remove' }).click();
    const ask = page.getByTestId('team-confirm');
    expect(await ask.textContent()).toContain('mia@example.com');
    await screenshot(page, 'auth-remove-confirm');
    await ask.getByRole('button', { name: 'Keep it' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(await miaRow.count()).toBe(1);
    await miaRow.getByRole('button', { name: 'Remove' }).click();
    await page.getByTestId('team-confirm').getByRole('button', { name: 'Remove Mia Marketer' }).click();
    await page.getByText('Mia Marketer was removed.').waitFor();
    expect(await miaRow.count()).toBe(0);
    const seats = (await (await page.request.get('/api/members')).json()) as { email: string }[];
    expect(seats.map((m) => m.email)).toEqual(['ada@example.com']);
  });
});
