// The mapping grid alone, in real Chromium, on test/gridHarness/index.html served by a Vite dev server (the harness
// is test code, not part of the SPA build). A million rows × 200 columns for scrolling, a small contact list with
// known problems for exact counts, and CSV files read through the real parse Web Worker.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import solid from 'vite-plugin-solid';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';

let server: ViteDevServer;
let browser: OpenBrowser;
let page: Page;

beforeAll(async () => {
  server = await createServer({
    // The repository root: the harness lives under test/, the grid and the parse worker under web/.
    root: '.',
    configFile: false,
    plugins: [solid()],
    logLevel: 'error',
    cacheDir: join(tmpdir(), 'audience-import-grid-harness-vite'),
    // Pre-bundle everything the harness and the parse worker import, so no mid-test "dependencies changed" reload.
    optimizeDeps: { entries: ['test/gridHarness/index.html', 'web/upload/parse.worker.ts'] },
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the harness server has no URL');
  browser = await openBrowser(url);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Waits (never times) for the page to settle: checks of a million rows run in the background. */
function poll<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 60_000, interval: 100 });
}

async function open(query: string): Promise<void> {
  await page.goto(`test/gridHarness/index.html?${query}`);
  await page.getByTestId(query.includes('dataset=file') ? 'file-input' : 'grid').waitFor();
}

/** Top and bottom of an element relative to the grid's scroller, in CSS px. */
async function placeInScroller(testId: string) {
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    const scroller = document.querySelector('[data-testid="grid-scroller"]');
    if (!el || !scroller) return null;
    const box = el.getBoundingClientRect();
    const view = scroller.getBoundingClientRect();
    const header = scroller.querySelector('.mg-header')?.getBoundingClientRect();
    return { top: box.top - view.top, bottom: box.bottom - view.top, headerBottom: (header?.bottom ?? 0) - view.top, viewHeight: scroller.clientHeight };
  }, testId);
}

async function harnessState(): Promise<{ columns: { header: string; target: string | null; suggested: boolean; sensitive: boolean }[]; identifier: number | null }> {
  return JSON.parse((await page.getByTestId('harness-state').textContent()) ?? '{}');
}

describe('mapping grid: a million rows × 200 columns', () => {
  beforeAll(async () => {
    await open('rows=1000000&cols=200');
  });

  it('renders only a window of rows and columns', async () => {
    await poll(() => page.getByTestId('grid-status').textContent()).toContain('1,000,000 rows · 200 columns');
    const rendered = await page.evaluate(() => ({ rows: document.querySelectorAll('.mg-row').length, cells: document.querySelectorAll('.mg-td').length }));
    expect(rendered.rows).toBeGreaterThan(10);
    expect(rendered.rows).toBeLessThan(80);
    expect(rendered.cells).toBeLessThan(1200);
    await screenshot(page, 'grid-million-top');
  });

  it('scrolls to the very last row with the scrollbar', async () => {
    await page.getByTestId('grid-scroller').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.dispatchEvent(new Event('scroll'));
    });
    const last = page.getByTestId('rownum-1000000');
    await last.waitFor();
    expect(await last.textContent()).toBe('1000000');
    const place = await placeInScroller('rownum-1000000');
    expect(place).not.toBeNull();
    // Fully visible, flush with the bottom of the scroll area.
    expect(place?.bottom).toBeLessThanOrEqual((place?.viewHeight ?? 0) + 0.5);
    expect(place?.top).toBeGreaterThan(place?.headerBottom ?? 0);
    await screenshot(page, 'grid-million-last-row');
  });

  it('goes to any row exactly, under the header', async () => {
    for (const row of [765_432, 958_001, 1, 999_999]) {
      await page.getByTestId('go-to-row').fill(String(row));
      await page.getByTestId('go-to-row').press('Enter');
      await page.getByTestId(`rownum-${row}`).waitFor();
      const place = await placeInScroller(`rownum-${row}`);
      if (row < 999_990) expect(Math.abs((place?.top ?? -1) - (place?.headerBottom ?? 0))).toBeLessThan(1);
      else expect(place?.bottom).toBeLessThanOrEqual((place?.viewHeight ?? 0) + 0.5);
    }
  });

  it('moves with the keyboard to the last row and the last column', async () => {
    await page.getByTestId('go-to-row').fill('500000');
    await page.getByTestId('go-to-row').press('Enter');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('End');
    await page.getByTestId('cell-1000000-199').waitFor();
    expect(await page.getByTestId('cell-1000000-199').getAttribute('class')).toContain('mg-cell-active');
    await page.getByTestId('col-header-199').waitFor();
    // Page up from the bottom, then down again: lands back on the last row.
    await page.keyboard.press('PageUp');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    expect(await page.getByTestId('cell-1000000-199').getAttribute('class')).toContain('mg-cell-active');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Home');
    await page.getByTestId('cell-1-0').waitFor();
    expect(await page.getByTestId('cell-1-0').getAttribute('class')).toContain('mg-cell-active');
    await screenshot(page, 'grid-million-keyboard-home');
  });

  it('maps a column through the searchable list, and confirms a suggestion', async () => {
    await page.getByTestId('map-to-4').click();
    await page.getByTestId('field-search-4').fill('comp');
    await page.getByTestId('field-option-company').click();
    await poll(async () => (await harnessState()).columns[4]).toMatchObject({ target: 'company', suggested: false });
    expect(await page.getByTestId('map-to-4').textContent()).toContain('Company');

    expect(await page.getByTestId('map-to-0').getAttribute('class')).toContain('mg-map-suggested');
    await page.getByTestId('confirm-0').click();
    await poll(async () => (await harnessState()).columns[0]?.suggested).toBe(false);
    expect(await page.getByTestId('map-to-0').getAttribute('class')).not.toContain('mg-map-suggested');
  });

  it('creates a field from the list and maps the column to it', async () => {
    await page.getByTestId('map-to-5').click();
    await page.getByTestId('field-search-5').fill('Visit count');
    await page.getByTestId('create-field-type').selectOption('number');
    await page.getByTestId('field-option-create').click();
    await poll(async () => (await harnessState()).columns[5]?.target).toBe('visit_count');
    await poll(() => page.getByTestId('map-to-5').textContent()).toContain('Visit count');
    // The values ("Paris", "Berlin", …) are not numbers: the new field's type is checked right away.
    await page.getByTestId('problems-5').waitFor();
    expect(await page.getByTestId('problems-5').textContent()).toContain('invalid');
    // Skip it again from the list.
    await page.getByTestId('map-to-5').click();
    await page.getByTestId('field-search-5').fill('skip');
    await page.getByTestId('field-search-5').press('Enter');
    await poll(async () => (await harnessState()).columns[5]?.target).toBeNull();
  });

  it('resizes a column by dragging its edge', async () => {
    const before = (await page.getByTestId('col-header-2').boundingBox())?.width ?? 0;
    const handle = page.locator('.mg-th').filter({ has: page.getByTestId('col-header-2') }).locator('.mg-resizer');
    const box = await handle.boundingBox();
    if (!box) throw new Error('no resize handle');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await poll(async () => Math.round((await page.getByTestId('col-header-2').boundingBox())?.width ?? 0)).toBe(Math.round(before + 120));
    // Cells follow their header.
    expect(Math.round((await page.getByTestId('cell-1-2').boundingBox())?.width ?? 0)).toBe(Math.round(before + 120));
  });

  it('marks one identifier (moving it) and masks sensitive columns', async () => {
    await page.getByTestId('identifier-2').click();
    await poll(async () => (await harnessState()).identifier).toBe(2);
    await page.getByTestId('identifier-3').click();
    await poll(async () => (await harnessState()).identifier).toBe(3);
    expect(await page.getByTestId('identifier-2').getAttribute('aria-pressed')).toBe('false');
    expect(await page.getByTestId('identifier-3').getAttribute('aria-pressed')).toBe('true');

    await page.getByTestId('sensitive-1').click();
    await page.getByTestId('sensitive-0').click();
    await poll(() => page.getByTestId('cell-1-1').textContent()).toBe('••••01');
    expect(await page.getByTestId('cell-1-0').textContent()).toBe('••••om');
    const visible = await page.evaluate(() => Array.from(document.querySelectorAll('[data-testid^="cell-"][data-testid$="-1"]')).map((c) => c.textContent ?? ''));
    expect(visible.length).toBeGreaterThan(5);
    for (const text of visible) expect(text).toMatch(/^(••••.{0,2})?$/);
    await screenshot(page, 'grid-million-identifier-sensitive');
    await page.getByTestId('sensitive-0').click();
    await page.getByTestId('identifier-3').click();
    await poll(async () => (await harnessState()).identifier).toBeNull();
  });

  it('filters to the rows with problems and fixes one inline', async () => {
    await page.getByTestId('problems-0').waitFor();
    expect(await page.getByTestId('problems-0').textContent()).toContain('2 invalid emails');
    await page.getByTestId('problems-filter').click();
    expect(await page.getByTestId('problems-filter').getAttribute('aria-pressed')).toBe('true');
    await poll(() => page.evaluate(() => Array.from(document.querySelectorAll('[data-testid^="rownum-"]')).map((e) => e.textContent))).toEqual(['3', '6', '12']);
    expect(await page.getByTestId('cell-3-0').getAttribute('title')).toBe('Email has no @. The row will be rejected.');
    await screenshot(page, 'grid-million-problems');

    await page.getByTestId('cell-3-0').dblclick();
    await page.getByTestId('cell-editor').fill('fixed@example.com');
    await page.getByTestId('cell-editor').press('Enter');
    await poll(() => page.getByTestId('problems-0').textContent()).toContain('1 invalid email');
    await poll(() => page.evaluate(() => Array.from(document.querySelectorAll('[data-testid^="rownum-"]')).map((e) => e.textContent))).toEqual(['6', '12']);
    await page.getByTestId('problems-filter').click();
    await page.getByTestId('cell-3-0').waitFor();
    expect(await page.getByTestId('cell-3-0').textContent()).toBe('fixed@example.com');
    expect(await page.getByTestId('cell-3-0').getAttribute('class')).toContain('mg-cell-edited');
  });

  it('edits the last row, and Escape drops an edit', async () => {
    await page.getByTestId('go-to-row').fill('1000000');
    await page.getByTestId('go-to-row').press('Enter');
    await page.getByTestId('cell-1000000-2').dblclick();
    await page.getByTestId('cell-editor').fill('Zed');
    await page.getByTestId('cell-editor').press('Escape');
    expect(await page.getByTestId('cell-1000000-2').textContent()).toBe('Noah');
    await page.getByTestId('cell-1000000-2').click();
    await page.keyboard.type('Xavier');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('cell-1000000-2').textContent()).toBe('Xavier');
    await poll(() => page.getByTestId('grid-status').textContent()).toContain('2 edited');
    await screenshot(page, 'grid-million-edited-last-row');
  });
});

describe('mapping grid: a small list with known problems', () => {
  beforeAll(async () => {
    await open('dataset=contacts');
  });

  it('counts every kind of problem once the identifier is chosen', async () => {
    await page.getByTestId('identifier-0').click();
    await poll(() => page.getByTestId('problem-summary').textContent()).toMatch(/^Checked: 6 rows would be rejected/);
    expect(await page.getByTestId('problems-0').locator('.mg-badge-error').textContent()).toBe(' 3 errors');
    expect(await page.getByTestId('problems-0').locator('.mg-badge-warning').textContent()).toBe('1 duplicate');
    expect(await page.getByTestId('problems-1').textContent()).toContain('1 invalid phone number');
    expect(await page.getByTestId('problems-filter').textContent()).toContain('(7)');
    expect(await page.getByTestId('cell-12-0').getAttribute('title')).toBe('Same identifier as row 1: the rows will be merged into one member.');
    expect(await page.getByTestId('cell-6-0').getAttribute('title')).toBe('The identifier column "E-mail" is empty. The row will be rejected.');
    expect(await page.getByTestId('rownum-15').getAttribute('title')).toBe('This row has 7 fields but the header has 6. The row will be rejected.');
    expect(await page.getByTestId('rownum-18').getAttribute('class')).toContain('mg-rownum-ragged');
    await screenshot(page, 'grid-contacts-problems');
  });

  it('never shows a sensitive value, not even in a problem tooltip', async () => {
    await page.getByTestId('sensitive-0').click();
    await poll(() => page.getByTestId('cell-3-0').textContent()).toBe('••••om');
    await poll(() => page.getByTestId('cell-3-0').getAttribute('title')).toBe('Not a valid email address (missing @). The row will be rejected.');
    await page.getByTestId('sensitive-0').click();
  });

  it('re-checks the identifier when an edit makes it unique', async () => {
    await page.getByTestId('cell-12-0').click();
    await page.keyboard.press('Enter');
    await page.getByTestId('cell-editor').fill('person12@example.com');
    await page.getByTestId('cell-editor').press('Enter');
    await poll(() => page.getByTestId('problems-0').textContent()).toBe(' 2 invalid emails · 1 empty');
    expect(await page.getByTestId('problems-0').getAttribute('title')).toBe(
      '2 invalid emails, 1 empty identifier: these rows will be rejected. Click to show only the rows with problems.',
    );
    // Enter moved the selection down a row.
    expect(await page.getByTestId('cell-13-0').getAttribute('class')).toContain('mg-cell-active');
  });
});

describe('mapping grid: a field limited to a pick list', () => {
  beforeAll(async () => {
    await open('dataset=contacts');
  });

  it('shows the allowed values in the field list and flags the values outside them as the Worker will', async () => {
    await page.getByTestId('identifier-0').click();
    await page.getByTestId('map-to-4').click();
    await page.getByTestId('field-search-4').fill('office');
    expect(await page.getByTestId('field-allowed-office_city').textContent()).toBe('Allowed: Paris, Berlin, Lyon');
    await screenshot(page, 'grid-field-picker-allowed-values');
    await page.getByTestId('field-option-office_city').click();
    // City cycles through 7 cities over 40 rows: New York, Madrid, São Paulo and Tokyo are 23 of them, less row 18
    // (cut short before its city: a blank cell is not checked).
    await poll(() => page.getByTestId('problems-4').textContent()).toContain('22 invalid values');
    expect(await page.getByTestId('cell-3-4').getAttribute('title')).toBe(
      '"New York" is not one of the allowed values of Office city: Paris, Berlin, Lyon. The row will be rejected.',
    );
    await screenshot(page, 'grid-pick-list-problems');
  });
});

describe('mapping grid: files through the parse worker', () => {
  beforeAll(async () => {
    await open('dataset=file');
  });

  it('reads a UTF-8 file, then re-reads a Windows-1252 one and says so', async () => {
    const utf8 = `Email;Prénom;Ville\n${Array.from({ length: 3000 }, (_, i) => `u${i}@example.com;Zoë;São Paulo`).join('\n')}\n`;
    await page.getByTestId('file-input').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(utf8, 'utf8') });
    await poll(() => page.getByTestId('parse-status').textContent()).toBe('Encoding: UTF-8 · 3000 rows');
    expect(await page.getByTestId('col-header-1').textContent()).toContain('Prénom');
    expect(await page.getByTestId('cell-3000-2').count()).toBe(0);
    await page.getByTestId('go-to-row').fill('3000');
    await page.getByTestId('go-to-row').press('Enter');
    expect(await page.getByTestId('cell-3000-2').textContent()).toBe('São Paulo');

    // Valid UTF-8 for the first 64 KiB, then Windows-1252 bytes (é, €): read again as Windows-1252.
    const head = Buffer.from(`Email,Name\n${Array.from({ length: 4000 }, (_, i) => `user${i}@example.com,Name ${i}`).join('\n')}\n`, 'latin1');
    const tail = Buffer.from([...Buffer.from('rene@example.com,Ren', 'latin1'), 0xe9, 0x20, 0x80, 0x0a]);
    await page.getByTestId('file-input').setInputFiles({ name: 'excel.csv', mimeType: 'text/csv', buffer: Buffer.concat([head, tail]) });
    await poll(() => page.getByTestId('parse-status').textContent()).toBe('Read as Windows-1252 (Western European) · 4001 rows');
    await page.getByTestId('go-to-row').fill('4001');
    await page.getByTestId('go-to-row').press('Enter');
    await page.getByTestId('rownum-4001').waitFor();
    expect(await page.getByTestId('cell-4001-1').textContent()).toBe('René €');
    await screenshot(page, 'grid-file-windows-1252');
  });

  it('stops reading when cancelled', async () => {
    // ~40 MB: long enough to still be reading when Cancel is clicked.
    const line = 'someone@example.com,"Quoted, with a comma",Paris,+33612345678\n';
    const big = Buffer.from(`Email,Note,City,Phone\n${line.repeat(600_000)}`);
    await page.getByTestId('file-input').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: big });
    await page.getByTestId('parse-cancel').click();
    await poll(() => page.getByTestId('parse-status').textContent()).toMatch(/^Cancelled after \d+ rows$/);
    const rows = Number((await page.getByTestId('parse-status').textContent())?.match(/\d+/)?.[0]);
    expect(rows).toBeLessThan(600_000);
  });

  it('reports files it cannot read as typed failures', async () => {
    await page.getByTestId('file-input').setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.from('') });
    await poll(() => page.getByTestId('parse-status').textContent()).toMatch(/^Failed \(empty_file\)/);
    await page.getByTestId('file-input').setInputFiles({ name: 'header.csv', mimeType: 'text/csv', buffer: Buffer.from('Email,Name\n') });
    await poll(() => page.getByTestId('parse-status').textContent()).toMatch(/^Failed \(header_only\)/);
    await page.getByTestId('file-input').setInputFiles({ name: 'book.xlsx', mimeType: 'text/csv', buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0]) });
    await poll(() => page.getByTestId('parse-status').textContent()).toMatch(/^Failed \(binary_file\)/);
  });
});
