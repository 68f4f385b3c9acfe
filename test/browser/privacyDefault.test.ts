import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';
import { useFreshWorkspace } from './crmSteps.ts';

const DOMAIN = 'default-private.example';
const AUDIENCE = 'Members by default private';
const FILE = {
  name: 'private-by-default.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from(`Email,City\nAda@${DOMAIN},Paris\ngrace@${DOMAIN},Arlington\nlin@${DOMAIN},Taipei\n`),
};

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function chooseDefault(page: Page, title: string): Promise<void> {
  await page.goto('/settings');
  await expect.poll(() => heading(page)).toBe('Workspace settings');
  await page.getByTestId('privacy-default').getByLabel(title).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
}

/** The file on the import page, Email confirmed as the (sensitive) identifier and City as City. */
async function mapFile(page: Page, again = false): Promise<void> {
  await page.goto('/import');
  await page.getByLabel('CSV file to import').setInputFiles(FILE);
  await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('3');
  if (again) {
    // The first import saved its mapping as a template: it maps the same headers, nothing is left to confirm.
    await page.getByTestId('template-notice').waitFor();
  } else {
    await expect.poll(() => page.getByTestId('map-to-0').textContent()).toMatch(/Suggested:\s*Email/);
    for (const col of [0, 1]) await page.getByTestId(`confirm-${col}`).click();
  }
  const identifier = page.getByTestId('identifier-0');
  if ((await identifier.getAttribute('aria-pressed')) !== 'true') await identifier.click();
  if ((await page.getByTestId('sensitive-0').getAttribute('aria-pressed')) !== 'true') await page.getByTestId('sensitive-0').click();
}

describe('the workspace privacy default and finding members of a private audience', () => {
  let browser: OpenBrowser;
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
    await useFreshWorkspace(inject('baseUrl'), browser.page, 'Privacy default');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('an admin makes new audiences private by default; the import pre-selects it and says why', async () => {
    const { page } = browser;
    await page.goto('/settings');
    await expect.poll(() => heading(page)).toBe('Workspace settings');
    expect(await page.getByTestId('privacy-default').getByLabel('Standard mode by default').isChecked()).toBe(true);
    expect(await page.getByTestId('privacy-default-crm').textContent()).toContain('stay in standard mode');
    await screenshot(page, 'a0-settings-off');
    await chooseDefault(page, 'Private by default');
    expect(await page.getByTestId('settings-last-change').textContent()).toMatch(/Last changed .+ by /);
    await screenshot(page, 'a1-settings-on');

    await mapFile(page);
    await page.getByLabel('New audience name').fill(AUDIENCE);
    const privacy = page.getByTestId('privacy-choice');
    await expect.poll(() => privacy.getByRole('checkbox').isChecked()).toBe(true);
    expect(await page.getByTestId('privacy-origin').textContent()).toContain('On by default: this workspace makes new audiences private');
    expect(await page.getByTestId('privacy-columns').textContent()).toContain('Sealed in this browser: “Email”');
    await screenshot(page, 'a2-import-private-by-default');

    // Turning it off for this import is allowed, and said; back on for the save.
    await privacy.getByRole('checkbox').uncheck();
    expect(await page.getByTestId('privacy-origin').textContent()).toBe('The workspace default is on; you changed it for this import.');
    await privacy.getByRole('checkbox').check();
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 60_000 });
    await page.getByRole('link', { name: 'Open audience' }).click();
    await expect.poll(() => heading(page)).toBe(AUDIENCE);
    expect(await page.getByTestId('audience-privacy').textContent()).toContain('Privacy mode');
  });

  it('finds a member of the private audience by a digest made in the tab: the typed email is never sent', async () => {
    const { page, context } = browser;
    const sent: { url: string; body: string }[] = [];
    const listen = (request: { url(): string; postDataBuffer(): Buffer | null }) => sent.push({ url: request.url(), body: request.postDataBuffer()?.toString('utf8') ?? '' });
    context.on('request', listen);

    const table = page.getByRole('table', { name: 'Members' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
    // The identifier is masked, and marked sensitive, and the search says what it does with what is typed.
    expect(await table.locator('tbody tr td:nth-child(2)').allTextContents()).toEqual(['••••••', '••••••', '••••••']);
    expect(await table.locator('thead').textContent()).toContain('sensitive');
    expect(await page.getByTestId('identifier-private').textContent()).toContain('only its hash is sent');
    await screenshot(page, 'a3-private-audience');

    await page.getByRole('searchbox').fill(`  GRACE@${DOMAIN.toUpperCase()} `);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr').textContent()).toContain('Arlington');
    await screenshot(page, 'a4-private-search-found');

    // What went out: the digest of the normalised email, and nowhere the email in any form.
    const searches = sent.filter((s) => /\/api\/audiences\/[^/]+\/members\?/.test(s.url));
    expect(searches.some((s) => new URL(s.url).searchParams.get('identifierDigest') === sha256(`grace@${DOMAIN}`))).toBe(true);
    for (const s of sent) {
      const text = `${decodeURIComponent(s.url)} ${s.body}`.toLowerCase();
      expect(text).not.toContain(DOMAIN);
      expect(text).not.toContain('grace');
    }

    // Not an email: said in the tab, nothing sent.
    const before = sent.length;
    await page.getByRole('searchbox').fill('grace-at-nowhere');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByTestId('search-problem').textContent()).toContain('Not a valid email address (missing @).');
    expect(sent.slice(before).filter((s) => s.url.includes('/members?'))).toEqual([]);
    expect(sent.every((s) => !s.url.includes('grace-at-nowhere'))).toBe(true);
    context.off('request', listen);
  });

  it('required: the import page shows privacy mode on and fixed, naming the setting', async () => {
    const { page } = browser;
    await chooseDefault(page, 'Private, required');
    await mapFile(page, true);
    await page.getByLabel('New audience name').fill('Another list');
    await expect.poll(() => page.getByTestId('privacy-required').textContent()).toContain('Required in this workspace');
    const box = page.getByTestId('privacy-choice').getByRole('checkbox');
    expect(await box.isChecked()).toBe(true);
    expect(await box.isDisabled()).toBe(true);
    await screenshot(page, 'a5-import-private-required');
    await chooseDefault(page, 'Standard mode by default');
  });
});
