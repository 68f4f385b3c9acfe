import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';

// Nombre, Correo (email, the identifier), Móvil (sensitive), Ciudad. Row 3 repeats row 1's email in capitals (a
// duplicate, merged); row 4's email is invalid (rejected); row 2's mobile has no prefix (read in the default country).
const CONTACTS = 'test/browser/fixtures/contacts.csv';
const AUDIENCE = 'Newsletter ES';

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

async function statValue(page: Page, label: string): Promise<string> {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const stat = page.getByLabel('Import counts').locator('.stat').filter({ has: page.locator('dt', { hasText: exact }) });
  return ((await stat.locator('dd').textContent()) ?? '').trim();
}

describe('CSV import, end to end', () => {
  let browser: OpenBrowser;
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('imports a messy list: suggestions, identifier, sensitive column, consent, report, masked members', async () => {
    const { page } = browser;
    await page.goto('/import');
    await page.getByLabel('CSV file to import').setInputFiles(CONTACTS);
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('5');
    expect(await page.getByTestId('file-info').textContent()).toContain('contacts.csv');

    // Suggestions from the Spanish headers and the values.
    await expect.poll(() => page.getByTestId('map-to-1').textContent()).toMatch(/Suggested:\s*Email/);
    expect(await page.getByTestId('map-to-2').textContent()).toMatch(/Suggested:\s*Mobile phone/);
    expect(await page.getByTestId('map-to-3').textContent()).toMatch(/Suggested:\s*City/);
    await screenshot(page, '20-suggestions');

    // Confirm the suggestions; map "Nombre" by hand through the picker.
    for (const col of [1, 2, 3]) await page.getByTestId(`confirm-${col}`).click();
    await page.getByTestId('map-to-0').click();
    await page.getByTestId('field-search-0').fill('first');
    await page.getByTestId('field-option-first_name').click();
    expect(await page.getByTestId('map-to-0').textContent()).toMatch(/^First name/);
    for (const col of [0, 1, 2, 3]) expect(await page.getByTestId(`map-to-${col}`).textContent()).not.toContain('Suggested');

    // Correo is the identifier (suggested from the email column: keep it on); Móvil is sensitive.
    const identifier = page.getByTestId('identifier-1');
    if ((await identifier.getAttribute('aria-pressed')) !== 'true') await identifier.click();
    expect(await identifier.getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('sensitive-2').click();
    expect(await page.getByTestId('sensitive-2').getAttribute('aria-pressed')).toBe('true');

    await page.getByLabel('Default country for phone numbers').selectOption('ES');
    await page.getByLabel('New audience name').fill(AUDIENCE);

    // Everything set but consent: Save stays disabled and says why.
    const save = page.getByRole('button', { name: 'Save', exact: true });
    expect(await save.isDisabled()).toBe(true);
    expect(await page.getByTestId('save-reason').textContent()).toBe('Confirm double opt-in');
    await screenshot(page, '21-before-consent');

    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    expect(await save.isEnabled()).toBe(true);
    expect(await page.getByTestId('save-reason').count()).toBe(0);
    await screenshot(page, '22-ready');
    await save.click();

    // The report.
    await page.waitForURL(/\/imports\/[^/]+\/report$/);
    await expect.poll(() => heading(page)).toBe('Import report');
    expect(await statValue(page, 'Rows received')).toBe('5');
    expect(await statValue(page, 'Inserted')).toBe('3');
    expect(await statValue(page, 'Updated')).toBe('0');
    expect(await statValue(page, 'Duplicates merged')).toBe('1');
    expect(await statValue(page, 'Rejected')).toBe('1');
    expect(await statValue(page, 'Skipped (blank)')).toBe('0');
    const rejected = page.getByRole('table', { name: 'Rejected rows' }).locator('tbody tr');
    expect(await rejected.count()).toBe(1);
    const cells = await rejected.first().locator('td').allTextContents();
    // The row the grid shows, and the line of the file it starts on (the header is line 1).
    expect(cells[0]).toBe('4 line 5');
    expect(cells[1]).toBe('Correo');
    expect(cells[2]).toMatch(/email/i);
    const csvHref = await page.getByRole('link', { name: 'Download report CSV' }).getAttribute('href');
    expect(csvHref).toMatch(/\/api\/imports\/[^/]+\/report\.csv$/);
    const csv = await page.evaluate(async (href) => (await fetch(href as string)).text(), csvHref);
    expect(csv).toContain('eva-at-example.com');
    await screenshot(page, '23-report');

    // The audience: three members, the mobile numbers masked.
    await page.getByRole('link', { name: 'Open audience' }).click();
    await expect.poll(() => heading(page)).toBe(AUDIENCE);
    const members = page.getByRole('table', { name: 'Members' });
    await members.waitFor();
    expect(await members.locator('tbody tr').count()).toBe(3);
    const text = (await members.textContent()) ?? '';
    expect(text).toContain('ana@example.com');
    expect(text).toContain('luis@example.com');
    expect(text).toContain('juan@example.com');
    expect(text).not.toContain('600000001');
    expect(text).not.toContain('600000002');
    expect(await members.locator('td.masked').count()).toBe(3);
    expect(await members.locator('thead').textContent()).toMatch(/Email\s*identifier.*Mobile phone\s*sensitive/);
    await screenshot(page, '24-audience');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audiences' }).click();
    const row = page.getByRole('table', { name: 'Audiences' }).locator('tbody tr').filter({ hasText: AUDIENCE });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('3');
    await screenshot(page, '25-audiences');
  });

  it('applies the saved template to a file with the same headers, visibly and undoably, and updates on match', async () => {
    const { page } = browser;
    // From the audience's page: "Import more contacts" preselects it as the target.
    await page.goto('/audiences');
    await page.getByRole('link', { name: AUDIENCE }).click();
    await page.getByRole('link', { name: 'Import more contacts' }).click();
    await expect.poll(() => heading(page)).toBe('Import contacts');
    // Same headers in another order and case: the same layout.
    await page.getByLabel('CSV file to import').setInputFiles({
      name: 'contacts-march.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('correo,NOMBRE,Ciudad,Móvil\nana@example.com,Ana María,Toledo,+34600000011\nnuevo@example.com,Nuevo,Cádiz,+34600000012\n'),
    });
    const notice = page.getByTestId('template-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Mapping from template ‘contacts’ applied');
    expect(await page.getByTestId('map-to-0').textContent()).toMatch(/^Email/);
    expect(await page.getByTestId('map-to-1').textContent()).toMatch(/^First name/);
    expect(await page.getByTestId('sensitive-3').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('identifier-0').getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, '26-template-applied');

    // Undo brings back the suggestions; re-uploading applies the template again.
    await notice.getByRole('button', { name: 'Undo' }).click();
    expect(await notice.count()).toBe(0);
    expect(await page.getByTestId('sensitive-3').getAttribute('aria-pressed')).toBe('false');
    expect(await page.getByTestId('map-to-0').textContent()).toMatch(/Suggested:\s*Email/);
    await page.getByLabel('CSV file to import').setInputFiles({
      name: 'contacts-march.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('correo,NOMBRE,Ciudad,Móvil\nana@example.com,Ana María,Toledo,+34600000011\nnuevo@example.com,Nuevo,Cádiz,+34600000012\n'),
    });
    await page.getByTestId('template-notice').waitFor();
    expect(await page.getByTestId('sensitive-3').getAttribute('aria-pressed')).toBe('true');

    // Into the existing audience, updating the member that is already there.
    expect(await page.getByRole('radio', { name: 'Existing audience' }).isChecked()).toBe(true);
    const existing = page.getByRole('combobox', { name: 'Existing audience' });
    expect(await existing.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent)).toBe(`${AUDIENCE} (3 members)`);
    await page.getByLabel('Default country for phone numbers').selectOption('ES');
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/);
    await expect.poll(() => statValue(page, 'Rows received')).toBe('2');
    expect(await statValue(page, 'Inserted')).toBe('1');
    expect(await statValue(page, 'Updated')).toBe('1');
    expect(await statValue(page, 'Rejected')).toBe('0');
    expect(await page.getByText('No row was rejected.').count()).toBe(1);
    await page.getByRole('link', { name: 'Open audience' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Members' }).locator('tbody tr').count()).toBe(4);
    expect(await page.getByRole('table', { name: 'Members' }).textContent()).toContain('Toledo');
  });
});
