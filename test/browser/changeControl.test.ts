import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type OpenBrowser, type Page, screenshot } from './chromium.ts';
import { startCrmFakes } from './crmFakes.ts';
import { connectSalesforce } from './crmSteps.ts';
import { type AppServer, startAppServer } from './startServer.ts';

// A server of its own: the flow starts at the first-run screen, which exists only while nobody has an account.
let server: AppServer;
let stopFakes: () => Promise<void> = async () => {};
let browser: OpenBrowser;

const ADMIN = { email: 'ada@example.com', password: 'a long enough password' };
const MARKETER = { email: 'mia@example.com', password: 'another long password' };

beforeAll(async () => {
  const crm = await startCrmFakes();
  stopFakes = crm.stop;
  server = await startAppServer(Object.entries(crm.vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]));
  browser = await openBrowser(server.baseUrl, { signedIn: false });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await stopFakes();
});

/** A JSON call with the page's session, as the SPA makes it. */
async function api(page: Page, method: 'GET' | 'POST' | 'PUT', path: string, data?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await page.request.fetch(path, { method, headers: { origin: server.baseUrl, 'content-type': 'application/json' }, ...(data === undefined ? {} : { data }) });
  const text = await res.text();
  return { status: res.status(), body: text ? (JSON.parse(text) as unknown) : null };
}

async function signOut(page: Page): Promise<void> {
  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/import');
}

describe('change control in the browser', () => {
  it('first run → admin connects a CRM and invites a marketer → the marketer imports a CSV but cannot change the integration → the admin changes attributes after the impact preview, and the history shows it', async () => {
    const { page } = browser;

    // First run: the workspace and its admin (the key contact).
    await page.goto('/');
    await page.getByRole('heading', { name: 'Set up Audience import' }).waitFor();
    await page.getByLabel('Workspace name').fill('Acme marketing');
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create workspace and sign in' }).click();
    await page.waitForURL('**/import');

    // The admin connects Salesforce; a CRM import of Contacts (Email, Title) already filled an audience and saved the table.
    const connectionId = await connectSalesforce(page);
    expect((await api(page, 'PUT', `/api/connections/${connectionId}/configs/Contact`, { attributes: ['Email', 'FirstName', 'Title'], filters: [] })).status).toBe(200);
    const started = (await api(page, 'POST', '/api/imports', {
      audienceName: 'Salesforce contacts',
      source: { kind: 'salesforce', connectionId, object: 'Contact', headers: ['Email', 'First Name', 'Title'] },
      mapping: {
        columns: [
          { column: 'Email', target: 'email', sensitive: false },
          { column: 'First Name', target: 'first_name', sensitive: false },
          { column: 'Title', target: 'job_title', sensitive: false },
        ],
        identifier: 'Email',
        onMatch: 'update',
      },
      consent: { doubleOptIn: true },
    })).body as { id: string };
    const people = [
      ['ada@acme.example', 'Ada', 'CTO'],
      ['bob@acme.example', 'Bob', 'Buyer'],
      ['cy@acme.example', 'Cy', ''],
    ];
    expect((await api(page, 'PUT', `/api/imports/${started.id}/batches/0`, { seq: 0, idempotencyKey: `k-${started.id}`, rows: people.map((values, i) => ({ row: i + 1, values })) })).status).toBe(200);
    expect((await api(page, 'POST', `/api/imports/${started.id}/finish`)).status).toBe(200);

    // The admin invites a marketer, who joins through the mailed link.
    await page.getByRole('link', { name: 'Team' }).click();
    await page.locator('.invite-form').getByLabel('Email').fill(MARKETER.email);
    await page.locator('.invite-form').getByLabel('Role').selectOption('marketer');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${MARKETER.email}.`).waitFor();
    await page.goto('/outbox');
    const link = await page.locator('.outbox li', { hasText: 'You are invited' }).getByRole('link', { name: 'Open the link' }).getAttribute('href');
    await signOut(page);
    await page.goto(link ?? '');
    await page.getByRole('heading', { name: 'Join Acme marketing' }).waitFor();
    await page.getByLabel('Your name').fill('Mia Marketer');
    await page.getByLabel('Password').fill(MARKETER.password);
    await page.getByRole('button', { name: 'Create account and join' }).click();
    // A seat needs a confirmed address: the confirmation link in the local outbox brings her back to join.
    await page.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
    await page.goto('/outbox');
    const confirmation = page.locator('.outbox li', { hasText: 'Confirm your email address' }).filter({ hasText: MARKETER.email });
    await page.goto((await confirmation.getByRole('link', { name: 'Open the link' }).first().getAttribute('href')) ?? '');
    await page.waitForURL('**/invite/**');
    await page.getByRole('button', { name: 'Join the workspace' }).click();
    await page.waitForURL('**/import');
    await expect.poll(() => page.locator('.role-badge').textContent()).toBe('Marketer');

    // The marketer imports a CSV file.
    await page.getByLabel('CSV file to import').setInputFiles({ name: 'event.csv', mimeType: 'text/csv', buffer: Buffer.from('email,first name\nzoe@example.com,Zoe\nyan@example.com,Yan\n') });
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('2');
    await expect.poll(() => page.getByTestId('map-to-0').textContent()).toMatch(/Email/);
    for (const col of [0, 1]) {
      const confirm = page.getByTestId(`confirm-${col}`);
      if ((await confirm.count()) > 0) await confirm.click();
    }
    const identifier = page.getByTestId('identifier-0');
    if ((await identifier.getAttribute('aria-pressed')) !== 'true') await identifier.click();
    await page.getByLabel('New audience name').fill('Event guests');
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/);

    // …but cannot change the integration: no such controls on Integrated systems, and the API refuses.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrated systems' }).click();
    const card = page.getByRole('article', { name: 'Salesforce connection' });
    await card.getByTestId('config-Contact').waitFor();
    expect(await card.getByRole('button', { name: /Change the attributes/ }).count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Disable' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Remove access' }).count()).toBe(0);
    expect(await page.getByTestId('connect-salesforce').count()).toBe(0);
    await screenshot(page, 'change-control-marketer');
    expect((await api(page, 'PUT', `/api/connections/${connectionId}/configs/Contact`, { attributes: ['Email'], filters: [] })).status).toBe(403);
    expect((await api(page, 'POST', `/api/connections/${connectionId}/disable`)).status).toBe(403);
    expect((await api(page, 'POST', `/api/connections/${connectionId}/configs/Contact/impact`, { attributes: ['Email'] })).status).toBe(403);

    // The admin changes the table's attributes: Title out, Department in; the impact comes before Save.
    await signOut(page);
    await signIn(page, ADMIN);
    await page.goto('/connections');
    await card.getByRole('button', { name: 'Change the attributes of Contact' }).click();
    const editor = page.getByTestId('config-editor-Contact');
    await editor.getByRole('checkbox', { name: 'Title', exact: true }).waitFor();
    await editor.getByRole('checkbox', { name: 'Title', exact: true }).uncheck();
    await editor.getByLabel('Find an attribute').fill('depart');
    await editor.getByRole('checkbox', { name: 'Department', exact: true }).check();
    await editor.getByRole('button', { name: 'Review change' }).click();
    const preview = editor.getByTestId('impact-preview');
    await preview.waitFor();
    const words = ((await preview.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(words).toContain('This change touches 1 audience (3 members).');
    expect(words).toContain('Department will be imported from now on.');
    expect(words).toContain('Title (field job_title) will no longer be imported: the values already imported stay on 2 members but are no longer updated.');
    expect(words).toContain('Salesforce contacts: 3 members');
    await preview.scrollIntoViewIfNeeded();
    await screenshot(page, 'change-control-impact');
    // Nothing is saved by the preview.
    expect(((await api(page, 'GET', `/api/connections/${connectionId}/configs/Contact`)).body as { attributes: string[] }).attributes).toEqual(['Email', 'FirstName', 'Title']);
    await editor.getByRole('button', { name: 'Save change' }).click();
    await editor.waitFor({ state: 'detached' });
    await expect.poll(() => card.getByTestId('config-Contact').textContent()).toMatch(/3 attributes/);

    // The change is in the integration's history, and in the workspace's.
    await card.getByRole('button', { name: 'History' }).click();
    const entry = card.getByTestId('history-entry').first();
    await entry.waitFor();
    const entryText = ((await entry.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(entryText).toContain('Changed');
    expect(entryText).toContain('attributes: added Department; removed Title');
    expect(entryText).toContain(`Ada Admin <${ADMIN.email}>`);
    await entry.scrollIntoViewIfNeeded();
    await screenshot(page, 'change-control-integration-history');
    await page.locator('.account-menu').getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Change history' }).waitFor();
    const first = page.getByTestId('history-entry').first();
    await expect.poll(() => first.textContent()).toContain('attributes: added Department; removed Title');
    expect(await page.getByTestId('history-entry').filter({ hasText: 'Invited' }).count()).toBe(1);
    await screenshot(page, 'change-control-workspace-history');
  });
});
