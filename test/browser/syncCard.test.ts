import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImportSummary } from '../../shared/schema/imports.ts';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';
import { connectSalesforce, deleteConnections } from './crmSteps.ts';
import { adminFetch } from './testAccount.ts';

const baseUrl = () => inject('baseUrl');

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await adminFetch(baseUrl(), path, {
    method,
    // The Worker wants a JSON content type on every POST/PUT, with or without a body.
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('keeping a CRM audience in sync', () => {
  let browser: OpenBrowser;
  let page: Page;
  let audienceId = '';
  beforeAll(async () => {
    browser = await openBrowser(baseUrl());
    page = browser.page;
  });
  afterAll(async () => {
    if (audienceId) await adminFetch(baseUrl(), `/api/audiences/${audienceId}`, { method: 'DELETE' });
    await deleteConnections(baseUrl());
    await browser?.close();
  });

  it('is set up at the end of a CRM import, then followed, run and paused on Integrated systems', async () => {
    const connectionId = await connectSalesforce(page);
    // A finished CRM import, as the import flow leaves it (its rows are the tab's; here one is enough).
    const started = await api<ImportSummary>('POST', '/api/imports', {
      audienceName: 'Salesforce contacts',
      source: { kind: 'salesforce', connectionId, object: 'Contact', headers: ['Email', 'First Name', 'Last Name'] },
      mapping: {
        columns: [
          { column: 'Email', target: 'email', sensitive: false },
          { column: 'First Name', target: 'first_name', sensitive: false },
          { column: 'Last Name', target: 'last_name', sensitive: false },
        ],
        identifier: 'Email',
        onMatch: 'update',
      },
      consent: { doubleOptIn: true },
    });
    audienceId = started.audienceId;
    await api('PUT', `/api/imports/${started.id}/batches/0`, { seq: 0, idempotencyKey: `first-${started.id}`, rows: [{ row: 1, values: ['ada@example.com', 'Ada', 'Lovelace'] }] });
    await api('POST', `/api/imports/${started.id}/finish`);

    await page.goto(`/imports/${started.id}/report`);
    const panel = page.getByTestId('keep-in-sync');
    await panel.waitFor();
    const button = panel.getByRole('button', { name: 'Keep in sync' });
    expect(await button.isDisabled()).toBe(true);
    await panel.getByLabel('Update').selectOption('manual');
    await panel.getByLabel('Your name or email').fill('marketer@example.com');
    await panel.getByLabel(/gave double opt-in consent/).check();
    await screenshot(page, '90-keep-in-sync-form');
    await button.click();
    await panel.getByRole('status').waitFor();
    expect(await panel.getByRole('status').textContent()).toContain('Kept in sync');

    await page.goto('/connections');
    const card = page.locator('.sync-card');
    await card.waitFor();
    expect(await card.getByTestId('sync-health').textContent()).toBe('Not run yet');
    expect(await card.getByTestId('sync-next-run').textContent()).toBe('Not scheduled');
    await card.getByRole('button', { name: 'Run now' }).click();
    await expect.poll(() => card.getByTestId('sync-health').textContent(), { timeout: 60_000, interval: 500 }).toBe('Healthy');
    expect(await card.getByTestId('sync-detail').textContent()).toMatch(/members added/);
    await screenshot(page, '91-sync-card-healthy');

    await card.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => card.getByTestId('sync-health').textContent()).toBe('Paused');
    await screenshot(page, '92-sync-card-paused');
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => card.getByTestId('sync-health').textContent()).toBe('Healthy');

    // Deleting asks first, saying what stays; "Keep it" changes nothing.
    await card.getByRole('button', { name: 'Delete sync' }).click();
    const confirm = card.getByTestId('sync-delete-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toMatch(/What stays:.*the audience and every member in it/);
    await screenshot(page, '93-sync-delete-confirm');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await page.locator('.sync-card').count()).toBe(1);

    await card.getByRole('button', { name: 'Delete sync' }).click();
    await confirm.getByRole('button', { name: 'Delete sync' }).click();
    await page.getByTestId('sync-deleted').waitFor();
    expect(await page.getByTestId('sync-deleted').textContent()).toMatch(/Its audience and every member in it stay/);
    expect(await page.locator('.sync-card').count()).toBe(0);
    await screenshot(page, '94-sync-deleted');
    expect((await api<{ id: string }[]>('GET', '/api/syncs')).length).toBe(0);
    expect((await api<{ memberCount: number }>('GET', `/api/audiences/${audienceId}`)).memberCount).toBeGreaterThan(0);
  });
});
