import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImportSummary } from '../../shared/schema/imports.ts';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';
import { connectSalesforce, useFreshWorkspace } from './crmSteps.ts';

const baseUrl = () => inject('baseUrl');

describe('Sync to CRM from the audience page', () => {
  let browser: OpenBrowser;
  let page: Page;
  let audienceId = '';
  /** The API as the page's user, in the page's workspace (a fresh one: see beforeAll). */
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await page.request.fetch(path, {
      method,
      headers: { 'content-type': 'application/json', origin: baseUrl() },
      ...(body === undefined ? {} : { data: JSON.stringify(body) }),
    });
    if (!res.ok()) throw new Error(`${method} ${path} → ${res.status()} ${await res.text()}`);
    return (await res.json()) as T;
  }

  beforeAll(async () => {
    browser = await openBrowser(baseUrl());
    page = browser.page;
    // Integrations are never deleted: in a workspace of its own, this file's connection has no other file's settings.
    await useFreshWorkspace(baseUrl(), page, `Sync to CRM ${Date.now()}`);
  });
  afterAll(async () => {
    if (audienceId) await page.request.fetch(`/api/audiences/${audienceId}`, { method: 'DELETE', headers: { origin: baseUrl() } });
    await browser?.close();
  });

  it('previews what would change, pushes, follows the run and reads the report', async () => {
    const connectionId = await connectSalesforce(page);
    await api('PUT', `/api/connections/${connectionId}/export-settings`, {
      settings: {
        people: {
          target: 'contact',
          identifiers: [{ platformField: 'email', crmProperty: 'Email' }],
          fields: [
            { platformField: 'email', crmProperty: 'Email' },
            { platformField: 'first_name', crmProperty: 'FirstName' },
            { platformField: 'last_name', crmProperty: 'LastName', defaultOnCreate: 'Unknown' },
          ],
          fixed: [{ crmProperty: 'LeadSource', value: 'Partner Referral' }],
          exportTime: [{ crmProperty: 'Department', label: 'Campaign', required: true }],
        },
        companies: { identifier: { platformField: 'company', crmProperty: 'Name' }, fields: [{ platformField: 'year_founded', crmProperty: 'YearStarted' }] },
      },
      baseVersion: 0,
    });
    const started = await api<ImportSummary>('POST', '/api/imports', {
      audienceName: 'Spring prospects',
      source: { kind: 'csv', fileName: 'prospects.csv', headers: ['Email', 'First name', 'Last name', 'Company', 'Founded'] },
      mapping: {
        columns: [
          { column: 'Email', target: 'email', sensitive: false },
          { column: 'First name', target: 'first_name', sensitive: false },
          { column: 'Last name', target: 'last_name', sensitive: false },
          { column: 'Company', target: 'company', sensitive: false },
          { column: 'Founded', target: 'year_founded', sensitive: false },
        ],
        identifier: 'Email',
        onMatch: 'update',
      },
      consent: { doubleOptIn: true },
    });
    audienceId = started.audienceId;
    const people = [
      ['push.ada@example.com', 'Ada', 'Lovelace', 'Analytical Engines', '1843'],
      // A year Salesforce cannot hold in its four characters: the Account is refused, Grace is written unlinked.
      ['push.grace@example.com', 'Grace', 'Hopper', 'Cobol Works', '19590'],
      ['push.alan@example.com', 'Alan', '', '', ''],
    ];
    await api('PUT', `/api/imports/${started.id}/batches/0`, { seq: 0, idempotencyKey: `p-${started.id}`, rows: people.map((values, i) => ({ row: i + 1, values })) });
    await api('POST', `/api/imports/${started.id}/finish`);

    await page.goto(`/audiences/${audienceId}`);
    await page.getByRole('button', { name: 'Sync to CRM…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync to CRM' });
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const stats = dialog.getByLabel('What the sync would do');
    await stats.waitFor();
    expect(await stats.textContent()).toContain('Create3');
    await dialog.getByRole('table', { name: 'Sample of changes' }).waitFor();
    expect(await dialog.getByRole('table', { name: 'Sample of changes' }).textContent()).toContain('Partner Referral');
    // The required export-time field holds the push until it is filled.
    const run = dialog.getByRole('button', { name: 'Sync 3 members to CRM' });
    expect(await run.isDisabled()).toBe(true);
    expect(await dialog.getByText('Fill in Campaign to sync.').count()).toBe(1);
    await dialog.getByLabel('Campaign').fill('Spring 2026');
    expect(await dialog.getByText('Fill in Campaign to sync.').count()).toBe(0);
    await screenshot(page, 'push-preview');
    expect(await run.isDisabled()).toBe(false);
    await run.click();

    const status = dialog.getByRole('status');
    await status.waitFor({ timeout: 60_000 });
    expect(await status.textContent()).toContain('Sync finished: 3 members handled.');
    const report = dialog.getByRole('table', { name: 'Sync report' });
    await report.waitFor();
    expect(await report.locator('tbody tr').count()).toBe(3);
    expect(await report.textContent()).toContain('Created');
    expect(await report.textContent()).toMatch(/003\w{12,15}/);
    expect(await report.textContent()).toContain('Not linked to the company “Cobol Works”: The CRM refused the Account (YearStarted)');
    const accounts = dialog.getByRole('table', { name: 'Accounts of this sync' });
    expect(await accounts.locator('tbody tr').count()).toBe(2);
    // The refused Account first, with its member and the CRM's words; then the one created.
    expect(await accounts.locator('tbody tr').first().textContent()).toMatch(/^Cobol Works—Failedpush\.grace@example\.comThe CRM refused the Account \(YearStarted\): Year Started: data value too large/);
    expect(await accounts.locator('tbody tr').nth(1).textContent()).toMatch(/^Analytical Engines001\w{12,15}Createdpush\.ada@example\.com$/);
    const csv = await dialog.getByRole('link', { name: 'Download report (CSV)' }).getAttribute('href');
    const text = await (await page.request.fetch(csv ?? '')).text();
    expect(text).toContain('push.ada@example.com');
    expect(text).toContain('Not linked to the company “Cobol Works”');
    await accounts.scrollIntoViewIfNeeded();
    await screenshot(page, 'push-report');
  });
});
