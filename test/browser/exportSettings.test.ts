import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExportSettingsAnswer } from '../../shared/schema/crmExport.ts';
import { type OpenBrowser, openBrowser, type Page, screenshot } from './chromium.ts';
import { connectSalesforce, deleteConnections } from './crmSteps.ts';
import { adminFetch, TEST_ADMIN } from './testAccount.ts';

const baseUrl = inject('baseUrl');
const fakes = inject('crmFakes');

const stored = async (connectionId: string): Promise<ExportSettingsAnswer> =>
  (await (await adminFetch(baseUrl, `/api/connections/${encodeURIComponent(connectionId)}/export-settings`)).json()) as ExportSettingsAnswer;

async function openSettings(page: Page, cardName: string): Promise<void> {
  await page.getByRole('article', { name: cardName }).first().getByTestId('integration-settings').click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Integration settings');
  // The live check runs once the CRM's fields are in.
  await expect.poll(() => page.getByTestId('save-bar').textContent(), { timeout: 30_000 }).not.toContain('Checking against');
}

const summary = (page: Page) => page.getByTestId('save-bar').textContent();

describe('Integration settings: the way back to the CRM, for Salesforce and Dynamics 365', () => {
  let browser: OpenBrowser;
  let page: Page;

  beforeAll(async () => {
    await deleteConnections(baseUrl);
    browser = await openBrowser(baseUrl);
    page = browser.page;
  });
  afterAll(async () => {
    await deleteConnections(baseUrl);
    await browser?.close();
  });

  it('configures the four steps for Salesforce Leads, with problems said live and the Worker’s answer at its field', async () => {
    const connectionId = await connectSalesforce(page);
    await openSettings(page, 'Salesforce connection');

    // 1 Matching: Leads, matched by email (the starting identifier).
    await page.getByRole('radio', { name: 'Leads' }).check();
    expect(await page.getByLabel('Identifier 1: Salesforce property').inputValue()).toBe('Email');
    await expect.poll(() => summary(page)).toContain('Salesforce needs “Last Name” and “Company” to create Leads');
    await screenshot(page, '90-integration-salesforce-matching');

    // 2 Export mapping: the required fields, a fixed lead source, an engagement flag.
    await page.getByTestId('step-mapping').click();
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Mapping 1: platform field').selectOption('last_name');
    await page.getByLabel('Mapping 1: Salesforce property').selectOption('LastName');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Mapping 2: platform field').selectOption('company');
    await page.getByLabel('Mapping 2: Salesforce property').selectOption('Company');
    await page.getByLabel('Mapping 2: direction').selectOption('two_way');
    await page.getByLabel("Mapping 2: overwrite the CRM's value").uncheck();
    await page.getByLabel('Mapping 2: default on create').fill('Unknown company');
    await page.getByLabel('Mapping 2: default on create').press('Tab');
    await page.getByRole('button', { name: 'Add fixed field' }).click();
    await page.getByLabel('Fixed fields 1: Salesforce property').selectOption('LeadSource');
    await page.getByLabel('Fixed fields 1: value').selectOption('Web');
    await page.getByRole('button', { name: 'Add engagement field' }).click();
    await page.getByLabel('Engagement fields 1: Salesforce property').selectOption('Custom_Field_005__c');
    // Nothing chosen yet: said under its row before anything is sent. A checkbox property offers Yes and No.
    await expect.poll(() => page.locator('.row-problems').first().textContent()).toBe('“Custom Field 005”: give it a value.');
    expect(await page.getByLabel('Engagement fields 1: value').locator('option').allTextContents()).toEqual(['Choose a value…', 'Yes', 'No']);
    await page.getByLabel('Engagement fields 1: value').selectOption('Yes');
    await expect.poll(() => summary(page)).toContain('These settings fit Salesforce.');
    await screenshot(page, '91-integration-salesforce-mapping');

    // 3 Campaign mapping: only text properties are offered.
    await page.getByTestId('step-campaign').click();
    await page.getByLabel('Opens: Salesforce property').selectOption('Custom_Field_001__c');
    await page.getByLabel('Engagement status and step: Salesforce property').selectOption('Title');
    const offered = await page.getByLabel('Clicks: Salesforce property').locator('option').allTextContents();
    expect(offered).toContain('Title');
    expect(offered.some((o) => o.startsWith('Lead Source'))).toBe(false);
    await screenshot(page, '92-integration-salesforce-campaign');

    // 4 Owners: the admin's records go to a colleague; a deactivated default owner is refused.
    await page.getByTestId('step-owners').click();
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByLabel('Owner 1: platform user').selectOption(TEST_ADMIN.email);
    const orgIndex = fakes.salesforce.org.loginUrl.split('/orgs/')[1]?.split('/')[0];
    await page.getByLabel('Owner 1: Salesforce user').selectOption({ label: `Seán O'Brien (sean@org${orgIndex}.example.com)` });
    await page.getByLabel('Default owner').selectOption({ label: 'Former Employee — inactive' });
    await expect.poll(() => summary(page)).toContain('Former Employee is no longer active in Salesforce');
    // Saving anyway: the Worker checks again and answers at the field; nothing is stored.
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Save settings' }).isEnabled()).toBe(true);
    expect(await page.getByTestId('saved').count()).toBe(0);
    expect(await page.locator('[data-problem="unknown_user"]').first().textContent()).toBe('Former Employee is no longer active in Salesforce: records cannot be given to them.');
    expect((await stored(connectionId)).version).toBe(0);
    await screenshot(page, '93-integration-salesforce-owner-refused');

    await page.getByLabel('Default owner').selectOption({ label: `Ada Admin (${fakes.salesforce.org.userName})` });
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByTestId('saved').textContent(), { timeout: 30_000 }).toBe('Saved (version 1).');
    await screenshot(page, '94-integration-salesforce-saved');

    const saved = await stored(connectionId);
    expect(saved.settings?.people).toMatchObject({
      target: 'lead',
      identifiers: [{ platformField: 'email', crmProperty: 'Email' }],
      fields: [
        { platformField: 'last_name', crmProperty: 'LastName', direction: 'to_crm', overwrite: true, defaultOnCreate: null },
        { platformField: 'company', crmProperty: 'Company', direction: 'two_way', overwrite: false, defaultOnCreate: 'Unknown company' },
      ],
      fixed: [{ crmProperty: 'LeadSource', value: 'Web' }],
      engagement: [{ crmProperty: 'Custom_Field_005__c', value: 'Yes' }],
      campaign: { opens: 'Custom_Field_001__c', engagement_status: 'Title' },
    });
    expect(saved.settings?.owners.users).toEqual([{ platformUserEmail: TEST_ADMIN.email, crmUserId: expect.any(String) }]);

    // Opened again, the page shows what was saved.
    await page.reload();
    await expect.poll(() => summary(page), { timeout: 30_000 }).toContain('These settings fit Salesforce.');
    expect(await page.getByRole('radio', { name: 'Leads' }).isChecked()).toBe(true);
    expect(await page.locator('.integration-head').textContent()).toContain(`by ${TEST_ADMIN.name} <${TEST_ADMIN.email}>`);
  });

  it('configures Dynamics 365 Contacts with companies as Accounts and saves', async () => {
    await page.goto('/connections');
    const form = page.getByTestId('connect-dynamics');
    await form.getByLabel('Environment address').fill(fakes.dynamics.url);
    await form.getByRole('button', { name: 'Connect Dynamics 365' }).click();
    await page.getByTestId('connect-result').waitFor();
    const card = page.getByRole('article', { name: 'Dynamics 365 connection' });
    const connectionId = ((await card.getAttribute('data-testid')) ?? '').replace('connection-', '');
    await openSettings(page, 'Dynamics 365 connection');

    expect(await page.getByRole('radio', { name: 'Contacts' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Identifier 1: Dynamics 365 property').inputValue()).toBe('emailaddress1');
    await expect.poll(() => summary(page)).toContain('Dynamics 365 needs “Last Name” to create Contacts');
    await page.getByLabel('Also write companies as Accounts, linked to their people').check();
    await expect.poll(() => page.getByLabel('Company: Account property').inputValue(), { timeout: 30_000 }).toBe('name');
    await screenshot(page, '95-integration-dynamics-matching');

    await page.getByTestId('step-mapping').click();
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Mapping 1: platform field').selectOption('last_name');
    await page.getByLabel('Mapping 1: Dynamics 365 property').selectOption('lastname');
    await page.getByRole('button', { name: 'Add fixed field' }).click();
    await page.getByLabel('Fixed fields 1: Dynamics 365 property').selectOption('preferredcontactmethodcode');
    await page.getByLabel('Fixed fields 1: value').selectOption('Email');
    await page.getByRole('button', { name: 'Add export-time field' }).click();
    await page.getByLabel('Export-time field 1: Dynamics 365 property').selectOption('department');
    await page.getByLabel('Export-time field 1: question').fill('Which department?');
    await page.getByLabel('Export-time field 1: question').press('Tab');
    await expect.poll(() => summary(page)).toContain('These settings fit Dynamics 365.');
    await screenshot(page, '96-integration-dynamics-mapping');

    await page.getByTestId('step-campaign').click();
    await page.getByLabel('Sequence details: Dynamics 365 property').selectOption('description');
    await page.getByTestId('step-owners').click();
    await page.getByLabel('Default owner').selectOption({ label: 'Nancy Admin (nancy@contoso.onmicrosoft.com)' });
    await screenshot(page, '97-integration-dynamics-owners');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByTestId('saved').textContent(), { timeout: 30_000 }).toBe('Saved (version 1).');

    const saved = await stored(connectionId);
    expect(saved.settings).toMatchObject({
      people: {
        target: 'contact',
        fields: [{ platformField: 'last_name', crmProperty: 'lastname' }],
        fixed: [{ crmProperty: 'preferredcontactmethodcode', value: 'Email' }],
        exportTime: [{ crmProperty: 'department', label: 'Which department?', required: false }],
        campaign: { sequence_details: 'description' },
      },
      companies: { identifier: { platformField: 'company', crmProperty: 'name' } },
    });
    expect(saved.settings?.owners.defaultOwnerId).toEqual(expect.any(String));
  });
});
