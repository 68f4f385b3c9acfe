import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';
import { statValue, useFreshWorkspace } from './crmSteps.ts';
import { MAX_BATCH_ROWS } from '../../shared/schema/imports.ts';

// A list big enough for three batches (the SPA sends MAX_BATCH_ROWS = 5,000 rows a batch for this mapping), with a quoted multi-line value, invalid emails and
// invalid phone numbers. Every email is at a domain that appears nowhere else, and every phone number is a Spanish
// mobile 699 + six digits, so the test can look for any of them in everything the page sends.
const ROWS = 11_000;
const DOMAIN = 'privacy-check.example';
const AUDIENCE = 'Private list';

const pad6 = (i: number) => String(i).padStart(6, '0');
const badEmail = (i: number) => i % 1_000 === 7;
const badPhone = (i: number) => i % 1_500 === 11;

interface Contact {
  email: string;
  phone: string;
  /** The phone's nine national digits: what any form of it (E.164, spaced, URL-encoded) still contains. */
  digits: string;
}

function contactsFile(dir: string): { path: string; contacts: Contact[] } {
  const contacts: Contact[] = [];
  const lines = ['Name,Email,Phone,City'];
  for (let i = 1; i <= ROWS; i++) {
    const digits = `699${pad6(i)}`;
    const email = badEmail(i) ? `person${i}-at-${DOMAIN}` : i % 3 === 0 ? `Person${i}@${DOMAIN.toUpperCase()}` : `person${i}@${DOMAIN}`;
    // Too many digits for a number: refused in the tab.
    const phone = badPhone(i) ? `+34 ${digits}99999` : i % 2 === 0 ? `+34 699 ${pad6(i).slice(0, 3)} ${pad6(i).slice(3)}` : digits;
    contacts.push({ email, phone, digits });
    const city = i === 3 ? '"Madrid\nCentro"' : 'Sevilla';
    lines.push(`Person ${i},${email},${phone},${city}`);
  }
  const path = join(dir, 'private-contacts.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, contacts };
}

interface Sent {
  method: string;
  url: string;
  body: string;
}

/**
 * Every email and phone of the file that appears in what was sent, in any form: as written, lowercased,
 * URL-encoded, JSON-escaped (a JSON string escapes nothing in these values but may write @ as \u0040), or as the
 * phone's digits with any separators (spaces, +, dashes, their URL encodings) taken out.
 */
function leaks(sent: readonly Sent[], contacts: readonly Contact[]): string[] {
  const found = new Set<string>();
  const digitSet = new Set(contacts.map((c) => c.digits));
  for (const { url, body } of sent) {
    for (const text of [url, body]) {
      let decoded = text;
      try {
        decoded = decodeURIComponent(text);
      } catch {
        // Not URL-encoded text: searched as it is.
      }
      for (const form of [text, decoded, decoded.replace(/\\u0040/gi, '@')]) {
        if (form.toLowerCase().includes(DOMAIN)) found.add(`an email at ${DOMAIN}`);
        // Digits of a phone, whatever separated them. The SHA-256 hex digests are left out: their digit runs are
        // random and would, now and then, match one of the file’s numbers by chance.
        const compact = form.replace(/\b[0-9a-f]{64}\b/g, '').replace(/%20|%2B|%2D|\\u0020|[\s+\-().]/gi, '');
        for (const run of compact.match(/\d{9,}/g) ?? []) {
          for (let at = 0; at + 9 <= run.length; at++) if (digitSet.has(run.slice(at, at + 9))) found.add(`phone ${run.slice(at, at + 9)}`);
        }
      }
    }
  }
  // Each value, as the tests are literal about the promise: none of them in any body or URL.
  for (const c of contacts.slice(0, 50)) {
    for (const value of [c.email, c.email.toLowerCase(), c.phone]) {
      for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) {
        if (sent.some((s) => s.body.includes(form) || s.url.includes(form))) found.add(value);
      }
    }
  }
  return [...found];
}

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

describe('privacy-mode CSV import', () => {
  let browser: OpenBrowser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'privacy-import-'));
    browser = await openBrowser(inject('baseUrl'));
    await useFreshWorkspace(inject('baseUrl'), browser.page, 'Privacy mode');
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals emails and phones in the tab: no request carries any of them, and the report lists the refused rows', async () => {
    const { page, context } = browser;
    const { path, contacts } = contactsFile(dir);
    const sent: Sent[] = [];
    // Every request of the page and its workers, bodies included, from the moment the file is chosen.
    context.on('request', (request) => {
      sent.push({ method: request.method(), url: request.url(), body: request.postDataBuffer()?.toString('utf8') ?? '' });
    });

    await page.goto('/import');
    await page.getByLabel('CSV file to import').setInputFiles(path);
    await expect.poll(() => page.getByTestId('row-count').textContent(), { timeout: 60_000 }).toBe(ROWS.toLocaleString('en-US'));

    await expect.poll(() => page.getByTestId('map-to-1').textContent()).toMatch(/Suggested:\s*Email/);
    expect(await page.getByTestId('map-to-2').textContent()).toMatch(/Suggested:.*phone/i);
    for (const col of [1, 2, 3]) await page.getByTestId(`confirm-${col}`).click();
    const identifier = page.getByTestId('identifier-1');
    if ((await identifier.getAttribute('aria-pressed')) !== 'true') await identifier.click();
    await page.getByTestId('sensitive-1').click();
    await page.getByTestId('sensitive-2').click();
    await page.getByLabel('Default country for phone numbers').selectOption('ES');
    await page.getByLabel('New audience name').fill(AUDIENCE);

    // The choice, in the words of its promise; on, it names what it seals and the dry run goes away.
    const privacy = page.getByTestId('privacy-choice');
    expect(await privacy.textContent()).toContain('Sensitive columns are hashed and encrypted in this browser; the plain values never leave your computer.');
    await privacy.getByRole('checkbox').check();
    await expect.poll(() => page.getByTestId('privacy-columns').textContent()).toContain('Sealed in this browser: “Email”, “Phone”');
    expect(await page.getByTestId('summary-privacy').textContent()).toContain('“Email”, “Phone” are hashed and encrypted in this browser');
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await screenshot(page, '90-privacy-before-save');
    // The connection drops on the first try of batch 1: its retry must carry the very same sealed bytes.
    let dropped = false;
    await page.route(/\/api\/imports\/[^/]+\/batches\/1$/, (route) => {
      if (dropped) return route.continue();
      dropped = true;
      return route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Save', exact: true }).click();

    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 180_000 });
    await expect.poll(() => heading(page)).toBe('Import report');

    // What was sent: batches that are really there (so the search below is not over nothing) and sealed.
    const batches = sent.filter((s) => s.method === 'PUT' && /\/api\/imports\/[^/]+\/batches\/\d+$/.test(s.url));
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(ROWS / MAX_BATCH_ROWS));
    const rowsSent = new Set<number>();
    for (const b of batches) {
      const body = JSON.parse(b.body) as { sealing?: { keyId: string }; rows: { row: number; values: unknown[] }[] };
      expect(body.sealing?.keyId).toBeTruthy();
      for (const r of body.rows) {
        rowsSent.add(r.row);
        // Email and Phone are the first two imported values (Name is not imported): sealed or refused
        // ({problem, message, hint}). A row's valid values share ONE envelope: `c` on its first sealed cell, the
        // other carries its SHA-256 only.
        for (const cell of r.values.slice(0, 2)) expect(typeof cell === 'object' && cell !== null).toBe(true);
        const shape = r.values.slice(0, 2).map((cell) => Object.keys(cell as object).sort().join());
        const sealedShape = badEmail(r.row) ? ['hint,message,problem', 'c,h'] : badPhone(r.row) ? ['c,h', 'hint,message,problem'] : ['c,h', 'h'];
        expect(shape).toEqual(sealedShape);
      }
    }
    expect(rowsSent.size).toBe(ROWS);
    const tries = batches.filter((b) => b.url.endsWith('/batches/1'));
    expect(dropped).toBe(true);
    expect(tries.length).toBeGreaterThanOrEqual(2);
    for (const retry of tries.slice(1)) expect(retry.body).toBe(tries[0]?.body);
    expect(sent.every((s) => !/dry-run/.test(s.url))).toBe(true);
    expect(leaks(sent, contacts)).toEqual([]);

    // The report: every row received, the refused ones rejected with row, column, reason and a masked value.
    const refusedRows = contacts.flatMap((c, i) => (badEmail(i + 1) || badPhone(i + 1) ? [i + 1] : []));
    expect(await statValue(page, 'Rows received')).toBe(ROWS.toLocaleString('en-US'));
    expect(await statValue(page, 'Rejected')).toBe(String(refusedRows.length));
    expect(await statValue(page, 'Inserted')).toBe((ROWS - refusedRows.length).toLocaleString('en-US'));
    const rejected = page.getByRole('table', { name: 'Rejected rows' }).locator('tbody tr');
    expect(await rejected.count()).toBe(refusedRows.length);
    const reported = await rejected.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    expect(reported.map((cells) => Number.parseInt(cells[0] ?? '', 10))).toEqual(refusedRows);
    for (const [row, column, reason, value] of reported) {
      const n = Number.parseInt(row ?? '', 10);
      if (badEmail(n)) {
        expect(column).toBe('Email');
        expect(reason).toBe('Not a valid email address (missing @).');
      } else {
        expect(column).toBe('Phone');
        expect(reason).toMatch(/^Not a valid phone number \(\d+ digits\)\.$/);
      }
      expect(value).not.toContain('person');
      expect(value).not.toMatch(/\d{6}/);
    }
    await screenshot(page, '91-privacy-report');

    // The audience: its members, and its mode said on its page.
    await page.getByRole('link', { name: 'Open audience' }).click();
    await expect.poll(() => heading(page)).toBe(AUDIENCE);
    expect(await page.getByTestId('audience-privacy').textContent()).toContain('Privacy mode');
    expect(await page.locator('section.page > header.card-head p.muted').first().textContent()).toContain(`${(ROWS - refusedRows.length).toLocaleString('en-US')} members`);
    await screenshot(page, '92-privacy-audience');

    // Importing into it again: the mode is shown and fixed.
    await page.getByRole('link', { name: 'Import more contacts' }).click();
    await page.getByLabel('CSV file to import').setInputFiles(path);
    await expect.poll(() => page.getByTestId('privacy-fixed').textContent(), { timeout: 60_000 }).toContain(`“${AUDIENCE}” is a private audience`);
    expect(await page.getByTestId('privacy-choice').getByRole('checkbox').isDisabled()).toBe(true);
    expect(await page.getByTestId('privacy-choice').getByRole('checkbox').isChecked()).toBe(true);
    await screenshot(page, '93-privacy-fixed');
  });
});
