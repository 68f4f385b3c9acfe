import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';

// A header layout no other browser test uses, so only the template this file saves can apply to it.
const LAYOUT = 'E-mail,Full name,Comentario';
const LIST = `${LAYOUT}\nana@example.com,Ana,primera\nbroken-at-example.com,Bea,segunda\nCarl@Example.com,Carl,tercera\n`;
const CONSENT = 'I confirm double opt-in consent was obtained for every contact in this list';

async function chooseFile(page: Page, name: string, text: string) {
  await page.getByLabel('CSV file to import').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

describe('the import page says what Save will do before it does it', () => {
  let browser: OpenBrowser;
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('lists skipped, rewritten and unconfirmed columns and the problem rows; a dry run goes stale; a template shows its on-match rule', async () => {
    const { page } = browser;
    await page.goto('/import');
    await chooseFile(page, 'summary.csv', LIST);
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('3');
    await expect.poll(() => page.getByTestId('map-to-0').textContent()).toMatch(/Suggested:\s*Email/);
    // The comment column is left out on purpose.
    await page.getByTestId('map-to-2').click();
    await page.getByTestId('field-option-skip').click();

    const summary = page.getByTestId('save-summary');
    expect(await page.getByTestId('summary-not-imported').textContent()).toContain('2 columns not imported: “Full name”, “Comentario”');
    const normalized = (await page.getByTestId('summary-normalized').textContent()) ?? '';
    expect(normalized).toContain('“E-mail” (Email)');
    expect(normalized).toContain('lowercased');
    expect(await page.getByTestId('summary-unconfirmed').textContent()).toContain('“E-mail” as Email');
    await expect.poll(() => page.getByTestId('summary-problems').textContent()).toContain('1 row with problems: it will be rejected');
    expect(await page.getByTestId('grid-status').textContent()).toContain('3 rows · 3 columns');
    await summary.scrollIntoViewIfNeeded();
    await screenshot(page, '60-summary-before-save');

    // "Show it in the grid" turns the grid's problem filter on.
    await page.getByTestId('summary-show-problems').click();
    await expect.poll(() => page.getByTestId('problems-filter').getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, '61-summary-problem-rows');

    // Confirming takes the suggestions off the list (and off the headers).
    await page.getByTestId('summary-confirm-all').click();
    expect(await page.getByTestId('summary-unconfirmed').count()).toBe(0);
    expect(await page.getByTestId('map-to-0').textContent()).not.toContain('Suggested');

    // A dry run describes the settings it was run with: changing one marks it out of date.
    await page.getByLabel('New audience name').fill('Summary list');
    await page.getByRole('button', { name: 'Check first (dry run)' }).click();
    const result = page.getByTestId('dry-run-result');
    await expect.poll(() => result.textContent()).toContain('If you save now');
    expect(await result.textContent()).toContain('1 row rejected');
    expect(await page.getByTestId('dry-run-stale').count()).toBe(0);
    await page.getByRole('radio', { name: /Reject the new row/ }).check();
    await expect.poll(() => page.getByTestId('dry-run-stale').count()).toBe(1);
    expect(await result.getAttribute('data-stale')).toBe('true');
    expect(await page.getByRole('button', { name: 'Check again' }).count()).toBe(1);
    await screenshot(page, '62-dry-run-stale');

    // Fixing a cell changes the rows the check answered for: it is out of date again.
    await page.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => page.getByTestId('dry-run-stale').count()).toBe(0);
    await page.getByTestId('cell-2-0').dblclick();
    await page.getByTestId('cell-editor').fill('bea@example.com');
    await page.getByTestId('cell-editor').press('Enter');
    await expect.poll(() => page.getByTestId('dry-run-stale').count()).toBe(1);

    // Saved with "reject": the template remembers it.
    await page.getByLabel(CONSENT).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/);

    // The same layout again, on a page whose on-match rule is "update": the template's "reject" is said, not slipped in.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import' }).click();
    await chooseFile(page, 'summary-2.csv', `${LAYOUT}\ndora@example.com,Dora,cuarta\n`);
    const changes = page.getByTestId('template-changes');
    await changes.waitFor();
    expect(await changes.textContent()).toContain('When a contact exists: update the existing member → reject the new row');
    expect(await page.getByRole('radio', { name: /Reject the new row/ }).isChecked()).toBe(true);
    expect(await page.getByTestId('summary-template').textContent()).toContain('reject the new row');
    await screenshot(page, '63-template-changes');
    await page.getByTestId('template-notice').getByRole('button', { name: 'Undo' }).click();
    expect(await page.getByRole('radio', { name: /Update the existing member/ }).isChecked()).toBe(true);
  });

  it('asks before leaving while rows are being saved: links, Back and closing the tab', async () => {
    const { page } = browser;
    await page.goto('/import');
    await chooseFile(page, 'leaving.csv', 'email,first_name\nleave1@example.com,One\nleave2@example.com,Two\n');
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('2');
    await page.getByLabel('New audience name').fill('Leaving list');
    await page.getByLabel(CONSENT).check();

    // The first batch waits until the test lets it through: the save is under way meanwhile.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/imports/*/batches/0', async (route) => {
      await held;
      await route.continue();
    });
    const dialogs: { type: string; message: string }[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push({ type: dialog.type(), message: dialog.message() });
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('save-progress').waitFor();

    // A link in the app: asked, and staying keeps the page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audiences' }).click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]?.type).toBe('confirm');
    expect(dialogs[0]?.message).toContain('Rows are still being saved');
    expect(new URL(page.url()).pathname).toBe('/import');
    await screenshot(page, '64-leaving-during-save');

    // Back: asked too, and the address comes back.
    await page.evaluate(() => window.history.back());
    await expect.poll(() => dialogs.length).toBe(2);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/import');
    expect(await page.getByTestId('save-progress').count()).toBe(1);

    // Closing the tab: the browser's own question.
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs.length).toBe(3);
    expect(dialogs[2]?.type).toBe('beforeunload');
    expect(page.isClosed()).toBe(false);

    // Done saving: going on to the report asks nothing.
    release();
    await page.waitForURL(/\/imports\/[^/]+\/report$/);
    await page.unroute('**/api/imports/*/batches/0');
    expect(dialogs.length).toBe(3);
  });

  it('shows the phone column\'s country beside its badge, chosen from the numbers, and re-checks at once when changed', async () => {
    const { page } = browser;
    await page.goto('/import');
    // German national numbers in a browser set to English (US): the numbers choose Germany; the last one is no number.
    const rows = ['030 12345678', '089 1234567', '0151 23456789', '0171 2345678', 'n/a'].map((p, i) => `kunde${i}@example.com,${p}`);
    await chooseFile(page, 'kunden.csv', `email,phone\n${rows.join('\n')}\n`);
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('5');
    const country = page.getByTestId('phone-country-1');
    const select = country.locator('select');
    await expect.poll(() => select.inputValue()).toBe('DE');
    expect(await country.getAttribute('title')).toMatch(/read as Germany numbers \(chosen from the file: 4 of 5 numbers without a country code are valid in Germany\)/);
    await expect.poll(() => page.getByTestId('problems-1').textContent()).toMatch(/^\s*1 invalid\s*$/);
    expect(await page.getByTestId('summary-normalized').textContent()).toContain('(now Germany)');
    // Short beside the country; the tooltip says it whole.
    expect(await page.getByTestId('problems-1').getAttribute('title')).toContain('1 invalid phone number: this row will be rejected');
    await screenshot(page, '65-phone-country-from-data');

    // One change in the header: the column is checked again with the new country, and Save uses the same one.
    await select.selectOption('US');
    await expect.poll(() => page.getByTestId('problems-1').textContent()).toMatch(/^\s*5 invalid\s*$/);
    expect(await page.getByLabel('Default country for phone numbers').inputValue()).toBe('US');
    await screenshot(page, '66-phone-country-changed');
    await select.selectOption('DE');
    await expect.poll(() => page.getByTestId('problems-1').textContent()).toMatch(/^\s*1 invalid\s*$/);
  });
});
