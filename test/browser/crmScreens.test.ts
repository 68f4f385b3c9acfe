// The CRM screens when things go wrong or differ from the happy path, as a user in Germany sees them: a login
// revoked mid-pull, a CRM that hangs, a pull that finds nothing, a saved filter on a lost field, "1,5".
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateContacts } from '../servers/salesforce/records.ts';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';
import { FAKE_SIZES } from './crmFakes.ts';
import { adminFetch } from './testAccount.ts';
import { connectSalesforce, deleteConnections, optionTexts, statValue, useFreshWorkspace } from './crmSteps.ts';

const fakes = inject('crmFakes');
const baseUrl = inject('baseUrl');
const orgIndex = Number(fakes.salesforce.org.loginUrl.split('/orgs/')[1]?.split('/')[0]);
const withEmail = generateContacts(orgIndex, FAKE_SIZES.salesforceContacts, []).filter((c) => c.Email !== null).length;
const LOCALE = 'de-DE';
const TIME_ZONE = 'Europe/Berlin';
const count = (n: number) => n.toLocaleString(LOCALE);

async function faults(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${fakes.salesforce.control}/faults`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`faults refused: ${res.status}`);
}

describe('CRM screens off the happy path (German locale, Berlin time)', () => {
  let browser: OpenBrowser;
  let page: Page;
  let connectionId = '';
  const importUrl = () => `/import?connection=${encodeURIComponent(connectionId)}&object=Contact`;

  beforeAll(async () => {
    browser = await openBrowser(baseUrl, { locale: LOCALE, timezoneId: TIME_ZONE });
    page = browser.page;
    // Its checks start from no saved selection: another file's saved Contact table stays with that integration.
    await useFreshWorkspace(baseUrl, page, `CRM screens ${Date.now()}`);
    connectionId = await connectSalesforce(page);
  });
  afterAll(async () => {
    await deleteConnections(baseUrl);
    await browser?.close();
  });

  it('says a pull found no records instead of asking for a file', async () => {
    await page.goto(importUrl());
    await expect.poll(() => page.getByTestId('selected-count').textContent(), { timeout: 30_000 }).toBe('6');
    await page.getByRole('button', { name: '+ Add a filter' }).click();
    await page.getByLabel('Filter 1 field').selectOption('Email');
    await page.getByLabel('Filter 1 value').fill('nobody@example.invalid');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByTestId('pull-empty').waitFor();
    expect(await page.getByTestId('pull-empty').textContent()).toMatch(/^Salesforce has no Contact records that match this selection, so there is nothing to map or save\./);
    expect(await page.getByTestId('crm-pull').textContent()).toContain('No records to import');
    expect(await page.getByText('Choose a file').count()).toBe(0);
    await screenshot(page, '75-crm-pull-empty');
  });

  it('shows within seconds that Salesforce is slow to answer, counting, and lets the user give up', async () => {
    await page.goto(importUrl());
    await expect.poll(() => page.getByTestId('selected-count').textContent(), { timeout: 30_000 }).toBe('6');

    await faults({ delay: { ms: 15_000, count: 1 } });
    const askedAt = Date.now();
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => page.getByTestId('preview-waiting').textContent(), { timeout: 10_000 }).toMatch(/^Still waiting for Salesforce… \(\d+ s\) Cancel$/);
    expect(Date.now() - askedAt).toBeLessThan(10_000);
    await page.getByTestId('preview-waiting').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('preview-waiting').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.getByRole('button', { name: 'Preview' }).isEnabled()).toBe(true);

    await faults({ delay: { ms: 15_000, count: 1 } });
    const pulledAt = Date.now();
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => page.getByTestId('pull-waiting').textContent(), { timeout: 10_000 }).toMatch(/^Still waiting for Salesforce… \(\d+ s\)$/);
    expect(Date.now() - pulledAt).toBeLessThan(10_000);
    // The count goes up while nothing arrives.
    const first = Number(/\((\d+) s\)/.exec((await page.getByTestId('pull-waiting').textContent()) ?? '')?.[1]);
    await expect.poll(async () => Number(/\((\d+) s\)/.exec((await page.getByTestId('pull-waiting').textContent()) ?? '')?.[1]), { timeout: 5_000 }).toBeGreaterThan(first);
    await screenshot(page, '76-crm-pull-waiting');
    await page.getByTestId('crm-pull').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('crm-pull').count(), { timeout: 10_000 }).toBe(0);
    // Let the held request finish at the fake before the next test pulls.
    await new Promise((r) => setTimeout(r, Math.max(0, 15_500 - (Date.now() - pulledAt))));
  });

  it('comes back to the same import after a login revoked mid-pull: selection, rows, and the pull going on', async () => {
    const cursors: (string | null)[] = [];
    let revoked = false;
    await page.route('**/api/connections/*/objects/Contact/pull', async (route) => {
      const cursor = (JSON.parse(route.request().postData() ?? '{}') as { cursor: string | null }).cursor;
      cursors.push(cursor);
      // The user's access is revoked in Salesforce while the second page is asked for.
      if (new Set(cursors).size === 2 && !revoked) {
        revoked = true;
        await faults({ revokeRefreshTokens: true });
      }
      await route.continue();
    });
    try {
      await page.goto(importUrl());
      const selected = page.getByLabel('Selected attributes', { exact: true });
      await expect.poll(() => optionTexts(selected), { timeout: 30_000 }).toHaveLength(6);
      // An unsaved selection: Title out, only contacts with an email.
      await selected.selectOption(['Title']);
      await page.getByRole('button', { name: 'Remove from selected' }).click();
      await page.getByRole('button', { name: '+ Add a filter' }).click();
      await page.getByLabel('Filter 1 field').selectOption('Email');
      await page.getByLabel('Filter 1 comparison').selectOption('is_not_empty');
      const chosen = await optionTexts(selected);
      expect(chosen).toHaveLength(5);

      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await page.getByTestId('pull-problem').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('pull-problem').textContent()).toMatch(/^Salesforce no longer accepts this connection’s login.*nothing you chose is lost/);
      expect(await page.getByTestId('pull-count').textContent()).toBe(`${count(2000)} of ${count(withEmail)} records pulled`);
      // The Integrated systems card beside it says so too, at once.
      expect(await page.getByTestId(`source-${connectionId}`).getByTestId('source-status').textContent()).toBe('Needs a new login: reconnect');
      await screenshot(page, '77-crm-login-revoked-mid-pull');

      await page.getByTestId('pull-problem').getByRole('button', { name: 'Reconnect' }).click();
      await page.waitForURL((url) => url.pathname === '/import' && url.searchParams.get('connection') === connectionId && url.searchParams.get('object') === 'Contact');
      await page.getByTestId('resumed-import').waitFor();
      expect(await page.getByTestId('resumed-import').textContent()).toContain(`the ${count(2000)} records pulled before were kept`);
      expect(await optionTexts(page.getByLabel('Selected attributes', { exact: true }))).toEqual(chosen);
      expect(await page.getByLabel('Filter 1 comparison').inputValue()).toBe('is_not_empty');
      await expect.poll(() => page.getByTestId('pull-count').textContent(), { timeout: 60_000 }).toBe(`${count(withEmail)} of ${count(withEmail)} records pulled`);
      expect(await page.getByTestId(`source-${connectionId}`).getByTestId('source-status').textContent()).toBe('Connected');
      await screenshot(page, '78-crm-resumed-after-reconnect');
    } finally {
      await page.unroute('**/api/connections/*/objects/Contact/pull');
    }
    // The page that failed was asked for again with its own cursor, after the sign-in; no page twice otherwise.
    const [first, second, ...rest] = [...new Set(cursors)];
    expect(first).toBeNull();
    expect(cursors.slice(0, 3)).toEqual([first, second, second]);
    expect(new Set(cursors).size).toBe(2 + rest.length);

    // Every contact once: none lost, none twice.
    await expect.poll(() => page.getByTestId('map-to-2').textContent(), { timeout: 30_000 }).toMatch(/Professional email/);
    for (const col of [0, 1, 2, 3, 4]) await page.getByTestId(`confirm-${col}`).click();
    await page.getByLabel('New audience name').fill('Salesforce after reconnect');
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 60_000 });
    await expect.poll(() => statValue(page, 'Rows received'), { timeout: 60_000 }).toBe(count(withEmail));
    expect(await statValue(page, 'Inserted')).toBe(count(withEmail));
    expect(await statValue(page, 'Duplicates merged')).toBe('0');
  });

  it('flags a saved filter on a field Salesforce no longer has, and reads numbers the German way', async () => {
    const fields = (await (await adminFetch(baseUrl, `/api/connections/${encodeURIComponent(connectionId)}/objects/Contact/fields`)).json()) as {
      name: string;
      label: string;
      type: string;
      filterable: boolean;
    }[];
    const numberField = fields.find((f) => f.filterable && ['double', 'currency', 'percent'].includes(f.type));
    if (!numberField) throw new Error('the fake Contact has no decimal field to filter on');
    const saved = await adminFetch(baseUrl, `/api/connections/${encodeURIComponent(connectionId)}/configs/Contact`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        attributes: ['Email', 'FirstName'],
        filters: [
          { field: 'Legacy_Segment__c', operator: 'equals', value: 'A' },
          { field: numberField.name, operator: 'greater_than', value: '1.5' },
        ],
      }),
    });
    expect(saved.status).toBe(200);

    const sent: { filters: { value: string; timeZone?: string }[] }[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/objects/Contact/preview')) sent.push(JSON.parse(r.postData() ?? '{}'));
    });
    await page.goto(importUrl());
    await page.getByTestId('filter-problem-0').waitFor();
    expect(await page.getByTestId('filter-problem-0').textContent()).toBe(
      'Salesforce no longer has the field Legacy_Segment__c: choose another field or remove this filter.',
    );
    const lostField = page.getByLabel('Filter 1 field');
    expect(await lostField.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toBe('Legacy_Segment__c (no longer in Salesforce)');
    // The saved 1.5 as a German writes it.
    expect(await page.getByLabel('Filter 2 value').inputValue()).toBe('1,5');
    expect(await page.getByRole('button', { name: 'Preview' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Upload', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, '79-crm-filter-on-lost-field');

    await page.getByRole('button', { name: 'Remove filter 1' }).click();
    await page.getByLabel('Filter 1 value').fill('1.5');
    await expect.poll(() => page.getByTestId('filter-problem-0').textContent(), { timeout: 10_000 }).toBe(`${numberField.label}: “1.5” is not a number; write decimals with “,”, e.g. 1,5.`);
    expect(await page.getByRole('button', { name: 'Preview' }).isDisabled()).toBe(true);
    await screenshot(page, '80-crm-filter-number-not-german');

    await page.getByLabel('Filter 1 value').fill('1,5');
    await expect.poll(() => page.getByTestId('filter-problem-0').count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('preview-total').waitFor();
    expect(await page.getByTestId('preview-error').count()).toBe(0);
    expect(sent.at(-1)).toEqual({ attributes: ['Email', 'FirstName'], filters: [{ field: numberField.name, operator: 'greater_than', value: '1.5' }] });

    // A day means the user's whole day in Berlin: the filter carries their time zone.
    await page.getByRole('button', { name: '+ Add a filter' }).click();
    await page.getByLabel('Filter 2 field').selectOption('CreatedDate');
    await page.getByLabel('Filter 2 comparison').selectOption('equals');
    await page.getByLabel('Filter 2 value').fill('2024-01-02');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => sent.at(-1)?.filters.length, { timeout: 10_000 }).toBe(2);
    expect(sent.at(-1)?.filters[1]).toEqual({ field: 'CreatedDate', operator: 'equals', value: '2024-01-02', timeZone: TIME_ZONE });
    await page.getByTestId('preview-total').waitFor();
    expect(await page.getByTestId('preview-error').count()).toBe(0);
  });
});
