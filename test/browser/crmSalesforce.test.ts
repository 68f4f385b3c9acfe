import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateContacts } from '../servers/salesforce/records.ts';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';
import { FAKE_SALESFORCE_ORG_NAME, FAKE_SIZES } from './crmFakes.ts';
import { deleteConnections, optionTexts, statValue } from './crmSteps.ts';

const fakes = inject('crmFakes');
const orgIndex = Number(fakes.salesforce.org.loginUrl.split('/orgs/')[1]?.split('/')[0]);
// What the fake org holds, from the same generator: contacts with an email are what the filter below keeps.
const withEmail = generateContacts(orgIndex, FAKE_SIZES.salesforceContacts, []).filter((c) => c.Email !== null).length;
const count = (n: number) => n.toLocaleString('en-US');

async function faults(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${fakes.salesforce.control}/faults`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`faults refused: ${res.status}`);
}

describe('Salesforce import, end to end', () => {
  let browser: OpenBrowser;
  let page: Page;
  let connectionId = '';
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
    page = browser.page;
  });
  afterAll(async () => {
    await deleteConnections(inject('baseUrl'));
    await browser?.close();
  });

  it('connects through the Salesforce login and says so', async () => {
    await page.goto('/connections');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Integrated systems');
    await page.getByTestId('no-connections').waitFor();
    await screenshot(page, '60-connections-empty');

    // A My Domain address is checked before anything is sent: credentials only ever go to Salesforce's own hosts.
    const form = page.getByTestId('connect-salesforce');
    await form.getByLabel('My Domain').check();
    await form.getByLabel('My Domain address').fill('https://acme.my.salesforce.com.evil.example');
    await form.getByRole('button', { name: 'Connect Salesforce' }).click();
    expect(await form.locator('.field-error').textContent()).toBe('Enter your Salesforce My Domain address, for example https://acme.my.salesforce.com.');
    expect(new URL(page.url()).pathname).toBe('/connections');

    // Production is the default login host; the fake's authorize answers with a redirect to our callback, as Salesforce does.
    await form.getByLabel('Production').check();
    await page.getByRole('button', { name: 'Connect Salesforce' }).click();
    await page.getByTestId('connect-result').waitFor();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/connections');
    const result = await page.getByTestId('connect-result').textContent();
    expect(result).toContain('Salesforce is connected.');
    expect(result).toContain(FAKE_SALESFORCE_ORG_NAME);
    expect(result).toContain(fakes.salesforce.org.userName);
    const card = page.getByRole('article', { name: 'Salesforce connection' });
    expect(await card.getByTestId('connection-status').textContent()).toBe('Connected');
    expect(await card.getByTestId('last-import').textContent()).toBe('Never');
    connectionId = ((await card.getAttribute('data-testid')) ?? '').replace('connection-', '');
    expect(connectionId).not.toBe('');
    await screenshot(page, '61-salesforce-connected');
  });

  it('imports Contacts: defaults, attributes moved both ways, a filter, preview, pull across pages, mapping, save', async () => {
    await page.getByRole('link', { name: `Import from Salesforce · ${FAKE_SALESFORCE_ORG_NAME}` }).click();
    await page.getByTestId('crm-import').waitFor();
    const table = page.getByLabel('Table');
    await expect.poll(async () => (await optionTexts(table)).slice(1, 4), { timeout: 30_000 }).toEqual([
      'Contact (imported as leads)',
      'Lead (imported as leads)',
      'Account (imported as companies)',
    ]);
    expect(await page.getByTestId('crm-import').textContent()).toContain('Contacts and Leads are imported as leads, Accounts as companies; one table per import.');
    await table.selectOption('Contact');

    // The defaults, pre-mapped.
    const selected = page.getByLabel('Selected attributes', { exact: true });
    await expect.poll(() => optionTexts(selected), { timeout: 30_000 }).toEqual([
      'First Name → First name',
      'Last Name → Last name',
      'Email → Professional email',
      'Mobile Phone → Mobile phone',
      'Title → Job title',
      'Mailing Country → Country',
    ]);
    await screenshot(page, '62-crm-defaults');

    // `>` adds what is chosen on the left (found by search), `<` takes it back.
    const available = page.getByLabel('Available attributes', { exact: true });
    await page.getByLabel('Search available attributes').fill('phone');
    expect(await optionTexts(available)).toEqual(['Business Phone', 'Home Phone']);
    await available.selectOption(['Phone', 'HomePhone']);
    await page.getByRole('button', { name: 'Add to selected' }).click();
    expect((await optionTexts(selected)).slice(-2)).toEqual(['Business Phone', 'Home Phone']);
    expect(await optionTexts(available)).toEqual(['No field matches “phone”']);
    await selected.selectOption(['HomePhone']);
    await page.getByRole('button', { name: 'Remove from selected' }).click();
    expect(await optionTexts(selected)).not.toContain('Home Phone');
    expect(await optionTexts(available)).toEqual(['Home Phone']);
    await page.getByLabel('Search available attributes').fill('mailing city');
    await available.selectOption(['MailingCity']);
    await page.getByRole('button', { name: 'Add to selected' }).click();
    expect(await page.getByTestId('selected-count').textContent()).toBe('8');

    // Only contacts with an email.
    await page.getByRole('button', { name: '+ Add a filter' }).click();
    await page.getByLabel('Filter 1 field').selectOption('Email');
    await page.getByLabel('Filter 1 comparison').selectOption('is_not_empty');

    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByTestId('preview-total').textContent()).toBe(`${count(withEmail)} records match`);
    const preview = page.getByTestId('crm-preview');
    expect(await preview.locator('thead th').allTextContents()).toEqual(['First Name', 'Last Name', 'Email', 'Mobile Phone', 'Title', 'Mailing Country', 'Business Phone', 'Mailing City']);
    expect(await preview.locator('tbody tr').count()).toBe(20);
    await screenshot(page, '63-crm-preview');

    await page.getByRole('button', { name: `Upload ${count(withEmail)} records` }).click();
    await expect.poll(() => page.getByTestId('pull-count').textContent(), { timeout: 60_000 }).toBe(`${count(withEmail)} of ${count(withEmail)} records pulled`);

    // The same grid as a file: defaults are suggestions to confirm, the email is the identifier.
    await expect.poll(() => page.getByTestId('map-to-0').textContent()).toMatch(/Suggested:\s*First name/);
    expect(await page.getByTestId('map-to-2').textContent()).toMatch(/Suggested:\s*Professional email/);
    expect(await page.getByTestId('map-to-5').textContent()).toMatch(/Suggested:\s*Country/);
    expect(await page.getByTestId('identifier-2').getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, '64-crm-grid');
    for (const col of [0, 1, 2, 3, 4, 5]) await page.getByTestId(`confirm-${col}`).click();

    await page.getByLabel('New audience name').fill('Salesforce contacts');
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 60_000 });
    await expect.poll(() => statValue(page, 'Rows received'), { timeout: 60_000 }).toBe(count(withEmail));
    expect(await statValue(page, 'Inserted')).toBe(count(withEmail));
    expect(await statValue(page, 'Rejected')).toBe('0');
    expect(await statValue(page, 'Duplicates merged')).toBe('0');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Import report');
    expect(await page.locator('.page > header, .page header').first().textContent()).toContain('Salesforce Contact into');
    await screenshot(page, '65-crm-report');

    // The stored audience.
    await page.getByRole('link', { name: 'Open audience' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Salesforce contacts');
    expect(await page.locator('.page header').first().textContent()).toContain(`${count(withEmail)} members`);
  });

  it('imports the saved selection again with one click, mapped by the saved template', async () => {
    await page.goto('/connections');
    const card = page.getByRole('article', { name: 'Salesforce connection' });
    await expect.poll(() => card.getByTestId('last-import').textContent()).not.toBe('Never');
    expect(await card.getByTestId('config-Contact').textContent()).toMatch(/^Contact8 attributes · 1 filter · saved /);
    await screenshot(page, '66-connection-with-saved-import');

    await card.getByRole('link', { name: 'Import Contact again' }).click();
    await expect.poll(() => page.getByTestId('pull-count').textContent(), { timeout: 60_000 }).toBe(`${count(withEmail)} of ${count(withEmail)} records pulled`);
    expect(await optionTexts(page.getByLabel('Selected attributes', { exact: true }))).toHaveLength(8);
    expect(await page.getByLabel('Filter 1 comparison').inputValue()).toBe('is_not_empty');
    // The template saved with the first import: confirmed targets, not suggestions, and the same identifier.
    await page.getByTestId('template-notice').waitFor();
    await expect.poll(() => page.getByTestId('map-to-2').textContent()).toMatch(/^Professional email/);
    expect(await page.getByTestId('identifier-2').getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, '67-crm-import-again');

    await page.getByRole('combobox', { name: 'Existing audience' }).selectOption({ label: `Salesforce contacts (${count(withEmail)} members)` });
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 60_000 });
    await expect.poll(() => statValue(page, 'Rows received'), { timeout: 60_000 }).toBe(count(withEmail));
    expect(await statValue(page, 'Updated')).toBe(count(withEmail));
    expect(await statValue(page, 'Inserted')).toBe('0');
  });

  it('asks again for a page Salesforce failed to serve, by itself and then with Retry, and imports no record twice', async () => {
    // Page 2 meets one 503 the Worker gives up on (the SPA retries by itself); page 3 meets 503s until the SPA gives up too.
    const cursors: (string | null)[] = [];
    const injected = new Set<number>();
    await page.route('**/api/connections/*/objects/Contact/pull', async (route) => {
      const cursor = (JSON.parse(route.request().postData() ?? '{}') as { cursor: string | null }).cursor;
      cursors.push(cursor);
      const pageNumber = new Set(cursors).size;
      if (pageNumber >= 2 && !injected.has(pageNumber)) {
        injected.add(pageNumber);
        // The Worker's connector tries each call 4 times; the SPA tries each page 4 times.
        await faults({ fail: { status: 503, count: pageNumber === 2 ? 4 : 16 } });
      }
      await route.continue();
    });
    try {
      await page.goto(`/import?connection=${encodeURIComponent(connectionId)}&object=Contact`);
      await expect.poll(() => page.getByTestId('selected-count').textContent(), { timeout: 30_000 }).toBe('8');
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      // While the SPA waits to ask again, it says why, in Salesforce's name and code.
      await expect
        .poll(() => page.getByTestId('pull-retrying').textContent(), { timeout: 30_000 })
        .toMatch(/^Salesforce is not answering right now \(SERVER_UNAVAILABLE\)\. We’ll retry in \d+ s \(attempt 1 of 3\)…$/);
      await screenshot(page, '68a-crm-pull-retrying');

      await page.getByTestId('pull-problem').waitFor({ timeout: 90_000 });
      expect(await page.getByTestId('pull-problem').textContent()).toMatch(
        /^Salesforce is not answering right now \(SERVER_UNAVAILABLE\)\. The 4,000 records pulled so far are kept; Retry continues where it stopped\./,
      );
      expect(await page.getByTestId('pull-count').textContent()).toBe(`4,000 of ${count(withEmail)} records pulled`);
      await screenshot(page, '68-crm-pull-paused');

      await page.getByRole('button', { name: 'Retry' }).click();
      await expect.poll(() => page.getByTestId('pull-count').textContent(), { timeout: 60_000 }).toBe(`${count(withEmail)} of ${count(withEmail)} records pulled`);
      await page.getByTestId('pull-recovered').waitFor();
    } finally {
      await page.unroute('**/api/connections/*/objects/Contact/pull');
    }
    // Every failed page was asked for again with its own cursor: page 2 twice, page 3 four times by the SPA and once by Retry.
    const [first, second, third] = [...new Set(cursors)];
    expect(first).toBeNull();
    expect(cursors).toEqual([first, second, second, third, third, third, third, third]);

    await page.getByLabel('New audience name').fill('Salesforce resilient');
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 60_000 });
    await expect.poll(() => statValue(page, 'Rows received'), { timeout: 60_000 }).toBe(count(withEmail));
    expect(await statValue(page, 'Inserted')).toBe(count(withEmail));
    expect(await statValue(page, 'Duplicates merged')).toBe('0');
  });

  it('says when Salesforce stops accepting the login, and reconnects the same connection', async () => {
    // The user's access was revoked in Salesforce (password reset, app access removed): tokens stop working.
    await faults({ revokeRefreshTokens: true });
    await page.goto(`/import?connection=${encodeURIComponent(connectionId)}&object=Contact`);
    await page.getByTestId('crm-load-problem').waitFor();
    expect(await page.getByTestId('crm-load-problem').textContent()).toMatch(/^Salesforce no longer accepts this connection’s login.*Reconnect it to go on/);
    await screenshot(page, '69-crm-needs-login');

    await page.goto('/connections');
    const card = page.getByTestId(`connection-${connectionId}`);
    await expect.poll(() => card.getByTestId('connection-status').textContent()).toBe('Needs a new login');
    await screenshot(page, '69b-connection-needs-login');
    await card.getByRole('button', { name: 'Reconnect' }).click();
    await expect.poll(() => page.getByTestId('connect-result').textContent()).toContain('Salesforce is connected.');
    expect(await page.getByTestId(`connection-${connectionId}`).getByTestId('connection-status').textContent()).toBe('Connected');
    expect(await page.getByRole('article', { name: 'Salesforce connection' }).count()).toBe(1);
  });
});
