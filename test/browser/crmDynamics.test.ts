import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildEnvironment, ORGANIZATION, USERS } from '../servers/dynamics/tables.ts';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';
import { FAKE_SIZES } from './crmFakes.ts';
import { deleteConnections, optionTexts, statValue } from './crmSteps.ts';

const fakes = inject('crmFakes');
// What the fake environment holds, from the same generator: contacts without an email are rejected (no identifier).
const contacts = buildEnvironment({ contacts: FAKE_SIZES.dynamicsContacts, accounts: 400, leads: 300 }).tables.get('contact')?.rows ?? [];
const withEmail = contacts.filter((c) => c.emailaddress1 !== null).length;
const count = (n: number) => n.toLocaleString('en-US');

describe('Dynamics 365 import, end to end', () => {
  let browser: OpenBrowser;
  let page: Page;
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
    page = browser.page;
  });
  afterAll(async () => {
    await deleteConnections(inject('baseUrl'));
    await browser?.close();
  });

  it('refuses an address that is not a Dynamics 365 environment, in words', async () => {
    await page.goto('/connections');
    const form = page.getByTestId('connect-dynamics');
    await form.getByLabel('Environment address').fill('https://example.com');
    await form.getByRole('button', { name: 'Connect Dynamics 365' }).click();
    await expect.poll(() => form.locator('.field-error').first().textContent()).toBe(
      'Use your Dynamics 365 environment address, e.g. https://contoso.crm.dynamics.com.',
    );
    await screenshot(page, '70-dynamics-bad-address');
  });

  it('connects an administrator through the Microsoft sign-in redirect', async () => {
    const form = page.getByTestId('connect-dynamics');
    await form.getByLabel('Environment address').fill(fakes.dynamics.url);
    await form.getByRole('button', { name: 'Connect Dynamics 365' }).click();
    await page.getByTestId('connect-result').waitFor();
    const result = await page.getByTestId('connect-result').textContent();
    expect(result).toContain('Dynamics 365 is connected.');
    expect(result).toContain(ORGANIZATION.name);
    expect(result).toContain(USERS[0]?.fullname);
    expect(await page.getByRole('article', { name: 'Dynamics 365 connection' }).getByTestId('connection-status').textContent()).toBe('Connected');
    await screenshot(page, '71-dynamics-connected');
  });

  it('connects as the app registration with a tenant id', async () => {
    const form = page.getByTestId('connect-dynamics');
    await form.getByLabel('Environment address').fill(fakes.dynamics.url);
    await form.getByLabel('Use an app registration').check();
    await form.getByRole('button', { name: 'Connect Dynamics 365' }).click();
    // The tenant is required for an app registration, and checked before anything is sent.
    await expect.poll(() => form.locator('.field-error').first().textContent()).toMatch(/^An app registration needs the tenant id/);
    await form.getByLabel('Tenant', { exact: true }).fill(crypto.randomUUID());
    await form.getByRole('button', { name: 'Connect Dynamics 365' }).click();
    await expect.poll(() => page.getByTestId('connect-result').textContent()).toContain(`signed in as ${USERS[1]?.fullname}`);
    expect(await page.getByRole('article', { name: 'Dynamics 365 connection' }).count()).toBe(2);
  });

  it('imports contacts: defaults, preview total, pull over two pages, mapping, save, report', async () => {
    await page.getByRole('article', { name: 'Dynamics 365 connection' }).first().getByRole('link', { name: 'Import from Dynamics 365' }).click();
    await page.getByTestId('crm-import').waitFor();
    const table = page.getByLabel('Table');
    await expect.poll(async () => (await optionTexts(table)).slice(1, 4), { timeout: 30_000 }).toEqual([
      'Contact (imported as leads)',
      'Lead (imported as leads)',
      'Account (imported as companies)',
    ]);
    await table.selectOption('contact');
    await expect.poll(() => optionTexts(page.getByLabel('Selected attributes', { exact: true })), { timeout: 30_000 }).toEqual([
      'First Name → First name',
      'Last Name → Last name',
      'Email → Professional email',
      'Mobile Phone → Mobile phone',
      'Job Title → Job title',
      'Address 1: Country/Region → Country',
    ]);

    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByTestId('preview-total').textContent()).toBe(`${count(contacts.length)} records match`);
    await screenshot(page, '72-dynamics-preview');
    await page.getByRole('button', { name: `Upload ${count(contacts.length)} records` }).click();
    await expect.poll(() => page.getByTestId('pull-count').textContent(), { timeout: 60_000 }).toBe(
      `${count(contacts.length)} of ${count(contacts.length)} records pulled`,
    );

    await expect.poll(() => page.getByTestId('map-to-2').textContent()).toMatch(/Suggested:\s*Professional email/);
    expect(await page.getByTestId('identifier-2').getAttribute('aria-pressed')).toBe('true');
    await page.getByLabel('New audience name').fill('Dynamics contacts');
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await screenshot(page, '73-dynamics-ready');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 60_000 });
    await expect.poll(() => statValue(page, 'Rows received'), { timeout: 60_000 }).toBe(count(contacts.length));
    expect(await statValue(page, 'Inserted')).toBe(count(withEmail));
    expect(await statValue(page, 'Rejected')).toBe(count(contacts.length - withEmail));
    expect(await page.locator('.page header').first().textContent()).toContain('Dynamics 365 contact into');
    await screenshot(page, '74-dynamics-report');
  });
});
