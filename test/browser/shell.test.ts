import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenBrowser, openBrowser, screenshot } from './chromium.ts';

describe('app shell', () => {
  let browser: OpenBrowser;
  beforeAll(async () => {
    browser = await openBrowser(inject('baseUrl'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('opens on the import page with navigation and the integrated-systems slot', async () => {
    const { page } = browser;
    await page.goto('/');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Import contacts');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Import' }).getAttribute('aria-current')).toBe('page');
    // The slot says "Loading…" until GET /api/connections answers, which can take a while on a loaded machine.
    await expect.poll(() => page.getByTestId('integrated-systems').textContent()).toContain('No CRM is connected yet');
    await screenshot(page, '00-import-empty');
  });

  it('moves between pages without reloading and keeps deep links working', async () => {
    const { page } = browser;
    await page.goto('/');
    await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audiences' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audiences');
    expect(new URL(page.url()).pathname).toBe('/audiences');
    expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await page.goBack();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Import contacts');

    await page.goto('/audiences');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audiences');
    await screenshot(page, '01-audiences');
  });

  it('says so when a path leads nowhere', async () => {
    const { page } = browser;
    await page.goto('/no/such/page');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
  });
});
