import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, screenshot } from './chromium.ts';

/** Files built in the test, so each problem is plain to see next to what the page must say about it. */
const file = (name: string, content: string | Buffer, mimeType = 'text/csv') => ({
  name,
  mimeType,
  buffer: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
});

describe('messy files', () => {
  let browser: OpenBrowser;
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function upload(f: ReturnType<typeof file>) {
    const { page } = browser;
    await page.goto('/import');
    await page.getByLabel('CSV file to import').setInputFiles(f);
  }

  it('says an empty file is empty', async () => {
    await upload(file('empty.csv', ''));
    const error = browser.page.getByTestId('parse-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/empty\.csv cannot be imported\..*empty/i);
  });

  it('says a header-only file has no rows', async () => {
    await upload(file('header.csv', 'email,name\n'));
    const error = browser.page.getByTestId('parse-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/header/i);
    await screenshot(browser.page, '10-header-only');
  });

  it('recognises a workbook that is not a CSV', async () => {
    await upload(file('contacts.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0, 0, 0x21, 0])));
    const error = browser.page.getByTestId('parse-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Excel/);
  });

  it('reads a Windows-1252 file and says so', async () => {
    // "José,Muñoz" in Windows-1252: é = 0xE9, ñ = 0xF1, invalid as UTF-8.
    const bytes = Buffer.concat([Buffer.from('nombre,apellido,email\n'), Buffer.from([0x4a, 0x6f, 0x73, 0xe9]), Buffer.from(','), Buffer.from([0x4d, 0x75, 0xf1, 0x6f, 0x7a]), Buffer.from(',jose@example.com\n')]);
    await upload(file('latin1.csv', bytes));
    const notice = browser.page.getByTestId('encoding-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/not valid UTF-8.*Windows-1252/);
    expect(await browser.page.getByLabel('Encoding').inputValue()).toBe('windows-1252');
    await screenshot(browser.page, '11-encoding-fallback');
  });

  it('warns about ragged rows and lets the delimiter be changed', async () => {
    await upload(file('semi.csv', 'email;name;city\na@example.com;Ann;Oslo\nb@example.com;Bob\nc@example.com;Cy;Rome;extra\n'));
    const { page } = browser;
    await page.getByTestId('ragged-notice').waitFor();
    expect(await page.getByTestId('ragged-notice').textContent()).toMatch(/2 rows have a different number of fields than the header \(3\)/);
    expect(await page.getByLabel('Delimiter').inputValue()).toBe(';');
    await screenshot(page, '12-ragged');

    await page.getByLabel('Delimiter').selectOption(',');
    await expect.poll(() => page.getByTestId('file-info').textContent()).toMatch(/Columns\s*1/);
    expect(await page.getByLabel('Delimiter').inputValue()).toBe(',');
  });

  it('tells the line of the file each row starts on, past a value that spans lines', async () => {
    await upload(file('notes.csv', 'email,note\na@example.com,"Line one\nLine two, with comma"\nb@example.com,plain\n'));
    const { page } = browser;
    await page.getByTestId('rownum-2').waitFor();
    // Row 1 spans lines 2 and 3 of the file, so row 2 starts on line 4.
    await expect.poll(() => page.getByTestId('rownum-2').getAttribute('title')).toBe('Row 2 (line 4 of the file)');
    expect(await page.getByTestId('rownum-1').getAttribute('title')).toBe('Row 1 (line 2 of the file)');
  });
});
