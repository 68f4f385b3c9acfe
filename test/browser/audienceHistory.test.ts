import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';

// The import flow's contacts with one more column ("Origen", left unmapped), so no template saved by another
// test file for contacts.csv applies here. Row 3 repeats row 1 (merged), row 4's email is invalid (rejected).
const CONTACTS = join(mkdtempSync(join(tmpdir(), 'audience-history-')), 'contacts.csv');
writeFileSync(
  CONTACTS,
  readFileSync('test/browser/fixtures/contacts.csv', 'utf8')
    .trimEnd()
    .split('\n')
    .map((line, i) => `${line},${i === 0 ? 'Origen' : 'feria'}`)
    .join('\n'),
);
const AUDIENCE = `History ${Date.now().toString(36)}`;

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const membersText = async (page: Page) => {
  const table = page.getByRole('table', { name: 'Members' });
  await table.waitFor();
  return (await table.locator('tbody').innerText()).trim();
};

describe('audience history, report later and undo', () => {
  let browser: OpenBrowser;
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('imports, checks first with a dry run, finds the import in the history, opens its report later and undoes a later import', async () => {
    const { page } = browser;
    await page.goto('/import');
    await page.getByLabel('CSV file to import').setInputFiles(CONTACTS);
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('5');
    expect(await page.getByTestId('template-notice').count()).toBe(0);
    await expect.poll(() => page.getByTestId('map-to-1').textContent()).toMatch(/Suggested:\s*Email/);
    for (const col of [1, 2, 3]) await page.getByTestId(`confirm-${col}`).click();
    const identifier = page.getByTestId('identifier-1');
    if ((await identifier.getAttribute('aria-pressed')) !== 'true') await identifier.click();
    await page.getByTestId('sensitive-2').click();
    await page.getByLabel('Default country for phone numbers').selectOption('ES');
    await page.getByLabel('New audience name').fill(AUDIENCE);

    // Dry run: the Worker's outcome before anything is written.
    await page.getByRole('button', { name: 'Check first (dry run)' }).click();
    const dry = page.getByTestId('dry-run-result');
    await dry.waitFor();
    expect(await dry.textContent()).toMatch(/3 new members, 0 members updated, 1 repeated row merged, 1 row rejected/);
    expect(await dry.textContent()).toContain('1 row: invalid email');
    await screenshot(page, '80-dry-run');

    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/);
    const firstReport = new URL(page.url()).pathname;
    await page.getByRole('link', { name: 'Open audience' }).click();
    await expect.poll(() => heading(page)).toContain(AUDIENCE);
    const earlier = await membersText(page);
    expect(earlier.split('\n')).toHaveLength(3);
    // The identifier once: the Email column is the identifier column, not repeated after it.
    expect((await page.getByRole('table', { name: 'Members' }).locator('thead').innerText()).match(/Email/g)).toHaveLength(1);
    const audienceUrl = page.url();
    const audienceId = audienceUrl.split('/').pop() as string;

    // A later import changes Ana's city and adds one member (through the API, as a CRM sync or a colleague would).
    const later = await page.evaluate(async (id) => {
      const post = async (path: string, body: unknown, method = 'POST') => {
        const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return res.json();
      };
      const started = await post('/api/imports', {
        audienceId: id,
        source: { kind: 'csv', fileName: 'city-update.csv', headers: ['Correo', 'Ciudad'] },
        mapping: { columns: [{ column: 'Correo', target: 'email' }, { column: 'Ciudad', target: 'city' }], identifier: 'Correo', onMatch: 'update' },
        consent: { doubleOptIn: true },
      });
      await post(`/api/imports/${started.id}/batches/0`, { seq: 0, idempotencyKey: `later-${started.id}`, rows: [
        { row: 1, values: ['ana@example.com', 'Toledo'] },
        { row: 2, values: ['nuevo@example.com', 'Cádiz'] },
        { row: 3, values: ['not-an-email', 'Lugo'] },
      ] }, 'PUT');
      await post(`/api/imports/${started.id}/finish`, {});
      return started.id as string;
    }, audienceId);
    await page.reload();
    await expect.poll(async () => (await membersText(page)).split('\n').length).toBe(4);
    expect(await membersText(page)).toContain('Toledo');

    // History: both imports, newest first, with source, counts and status.
    const history = page.getByRole('table', { name: 'Import history' });
    await history.waitFor();
    const lines = history.locator('tbody tr');
    expect(await lines.count()).toBe(2);
    expect(await lines.nth(0).innerText()).toMatch(/city-update\.csv[\s\S]*3 rows · 1 new member · 1 update · 1 row rejected[\s\S]*Completed/);
    expect(await lines.nth(1).innerText()).toMatch(/contacts\.csv[\s\S]*5 rows · 3 new members · 1 repeat merged · 1 row rejected/);
    await screenshot(page, '81-history');

    // The first import's report, later, from the history: its own URL.
    await lines.nth(1).getByRole('link', { name: 'Report' }).click();
    await page.waitForURL(`**${firstReport}`);
    await expect.poll(() => heading(page)).toBe('Import report');
    expect(await page.getByRole('table', { name: 'Rejected rows' }).locator('tbody tr').count()).toBe(1);
    await screenshot(page, '82-report-later');
    await page.goBack();
    await history.waitFor();

    // Undoing the first import needs the later one undone first: the app says so and offers the chain.
    await lines.nth(1).getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('button', { name: 'Undo import' }).click();
    const confirm = page.getByTestId('undo-confirm');
    await expect.poll(() => confirm.textContent()).toMatch(/A later import changed the same members: city-update\.csv/);
    expect(await page.getByRole('button', { name: 'Undo 2 imports' }).count()).toBe(1);
    await screenshot(page, '83-undo-chain-offered');
    await page.getByRole('button', { name: 'Keep it' }).click();

    // Undo the later import: the audience is back where the first import left it.
    await lines.nth(0).getByRole('button', { name: 'Undo' }).click();
    await screenshot(page, '84-undo-confirm');
    await page.getByRole('button', { name: 'Undo import' }).click();
    await page.getByTestId('undo-done').waitFor();
    expect(await page.getByTestId('undo-done').textContent()).toMatch(/1 member removed, 1 member given their previous values back\. The audience now has 3 members/);
    await expect.poll(() => membersText(page)).toBe(earlier);
    await expect.poll(() => lines.nth(0).innerText()).toMatch(/Undone[\s\S]*1 member removed, 1 member restored/);
    expect(await heading(page)).toContain(AUDIENCE);
    expect(await page.locator('.card-head p.muted').first().innerText()).toMatch(/^3 members/);
    await screenshot(page, '85-undone');
    expect(later).toMatch(/./);

    // Find a member by identifier as typed; the search says when nothing matches.
    await page.getByLabel('Find by identifier').fill('  LUIS@example.com ');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(async () => (await membersText(page)).split('\n').length).toBe(1);
    expect(await membersText(page)).toContain('luis@example.com');
    await screenshot(page, '86-search');
    await page.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(async () => (await membersText(page)).split('\n').length).toBe(3);

    // Delete asks first, with the member count.
    await page.getByRole('button', { name: 'Delete audience' }).click();
    expect(await page.getByTestId('delete-confirm').textContent()).toContain('its 3 members');
    await screenshot(page, '87-delete-confirm');
    await page.getByRole('button', { name: 'Delete 3 members' }).click();
    await page.waitForURL(/\/audiences$/);
    await expect.poll(() => heading(page)).toBe('Audiences');
    await expect.poll(() => page.getByRole('link', { name: AUDIENCE }).count()).toBe(0);
    await screenshot(page, '88-after-delete');
  });
});
