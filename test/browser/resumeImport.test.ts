import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';

const ROWS = 11_000; // three batches of up to 5,000 rows (DEFAULT_BATCH_ROWS)

describe('an interrupted import', () => {
  let browser: OpenBrowser;
  let dir: string;
  let csvPath: string;
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
    // On disk, so selecting it again gives the same name, size and modification time: the same file.
    dir = mkdtempSync(join(tmpdir(), 'audience-import-resume-'));
    csvPath = join(dir, 'big-list.csv');
    const lines = ['email,first_name,city'];
    for (let i = 1; i <= ROWS; i++) lines.push(`person${i}@example.com,Person ${i},City ${i % 50}`);
    writeFileSync(csvPath, `${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const savedRows = (page: Page) => page.getByTestId('save-progress').textContent();

  it('pauses when the network fails, resumes in the tab, and again after the tab was closed', async () => {
    let page = browser.page;
    await page.goto('/import');
    await page.getByLabel('CSV file to import').setInputFiles(csvPath);
    await expect.poll(() => page.getByTestId('row-count').textContent(), { timeout: 30_000 }).toBe('11,000');
    expect(await page.getByTestId('identifier-0').getAttribute('aria-pressed')).toBe('true');
    await page.getByLabel('New audience name').fill('Resumable');
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();

    // The connection drops while batch 1 is on its way: retries run out, the import pauses with batch 0 stored.
    await page.route('**/api/imports/*/batches/1', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('paused-notice').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('paused-notice').textContent()).toMatch(/connection to the server was lost.*nothing was lost/);
    expect(await savedRows(page)).toMatch(/5,000 of 11,000 rows stored/);
    await screenshot(page, '30-import-paused');

    // Back online: "Resume now" continues at batch 1; this time batch 2 is lost.
    await page.unroute('**/api/imports/*/batches/1');
    await page.route('**/api/imports/*/batches/2', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: 'Resume now' }).click();
    await expect.poll(() => savedRows(page), { timeout: 60_000 }).toMatch(/10,000 of 11,000 rows stored/);
    await page.getByTestId('paused-notice').waitFor({ timeout: 60_000 });

    // The tab is closed. A new one remembers the import and asks for the same file again.
    await page.close();
    page = await browser.context.newPage();
    await page.goto('/import');
    const pending = page.getByTestId('pending-import');
    await pending.waitFor();
    expect(await pending.textContent()).toMatch(/big-list\.csv.*Resumable.*did not finish/);
    await screenshot(page, '31-pending-after-reload');

    await page.getByLabel('CSV file to import').setInputFiles(csvPath);
    await page.getByTestId('resume-notice').waitFor();
    expect(await page.getByTestId('resume-notice').textContent()).toMatch(/10,000 rows of 11,000 already stored/);
    await screenshot(page, '32-resume-offer');
    await page.getByRole('button', { name: 'Resume import' }).click();

    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 60_000 });
    const stat = (label: string) => page.getByLabel('Import counts').locator('.stat', { has: page.locator('dt', { hasText: label }) }).locator('dd').textContent();
    await expect.poll(() => stat('Rows received')).toBe('11,000');
    expect(await stat('Inserted')).toBe('11,000');
    expect(await stat('Rejected')).toBe('0');

    // 11,000 members, paged 50 at a time.
    await page.getByRole('link', { name: 'Open audience' }).click();
    const pager = page.getByRole('navigation', { name: 'Member pages' });
    await expect.poll(() => pager.textContent()).toMatch(/1–50 of 11,000/);
    await pager.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => pager.textContent()).toMatch(/51–100 of 11,000/);
    const firstOfPage2 = await page.getByRole('table', { name: 'Members' }).locator('tbody tr').first().locator('td').first().textContent();
    expect(firstOfPage2).toBe('51');
    await pager.getByRole('button', { name: '← Previous' }).click();
    await expect.poll(() => pager.textContent()).toMatch(/1–50 of 11,000/);
    await screenshot(page, '33-members-paged');

    // Finished imports are forgotten: nothing pending on the import page any more.
    await page.goto('/import');
    await page.getByRole('heading', { name: 'Import contacts' }).waitFor();
    expect(await page.getByTestId('pending-import').count()).toBe(0);
    browser.page = page;
  });
});
