// Steps the CRM browser tests share: reading the pickers, the report, and leaving no connection behind.
import type { Locator, Page } from 'playwright-core';
import { adminFetch } from './testAccount.ts';

/** The option labels of a <select>, as shown. */
export async function optionTexts(select: Locator): Promise<string[]> {
  return (await select.locator('option').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** One count of the import report ("Rows received", "Inserted", …). */
export async function statValue(page: Page, label: string): Promise<string> {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const stat = page.getByLabel('Import counts').locator('.stat').filter({ has: page.locator('dt', { hasText: exact }) });
  return ((await stat.locator('dd').textContent()) ?? '').trim();
}

/**
 * Integrations are never deleted: the ones a test made have their access removed (revoked at the fake CRM), which
 * leaves them disabled; the next test connecting the same fake account gets the same connection back, enabled.
 */
export async function deleteConnections(baseUrl: string): Promise<void> {
  const list = (await (await adminFetch(baseUrl, '/api/connections')).json()) as { id: string }[];
  for (const c of list) {
    await adminFetch(baseUrl, `/api/connections/${encodeURIComponent(c.id)}/remove-access`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  }
}

/**
 * Moves this file's requests (the page's session and adminFetch's) into a workspace of their own: integrations are
 * never deleted and keep their saved tables, so a file that needs the fake org without another file's saved
 * selections connects it afresh there.
 */
export async function useFreshWorkspace(baseUrl: string, page: Page, name: string): Promise<void> {
  const made = await adminFetch(baseUrl, '/api/workspaces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  if (made.status !== 201) throw new Error(`creating a workspace failed: ${made.status} ${await made.text()}`);
  const { id } = (await made.json()) as { id: string };
  const switched = await page.request.put('/api/workspaces/active', { data: { workspaceId: id }, headers: { origin: baseUrl } });
  if (!switched.ok()) throw new Error(`switching the page's workspace failed: ${switched.status()}`);
}

/** Connects the fake Salesforce org through its production login, as a user does; answers the connection's id. */
export async function connectSalesforce(page: Page): Promise<string> {
  await page.goto('/connections');
  const form = page.getByTestId('connect-salesforce');
  await form.getByLabel('Production').check();
  await form.getByRole('button', { name: 'Connect Salesforce' }).click();
  await page.getByTestId('connect-result').waitFor();
  const card = page.getByRole('article', { name: 'Salesforce connection' });
  return ((await card.getAttribute('data-testid')) ?? '').replace('connection-', '');
}
