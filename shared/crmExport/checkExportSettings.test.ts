import { describe, expect, it } from 'vitest';
import type { CrmField } from '../schema/crm.ts';
import { ExportSettings, type ExportSettings as Settings } from '../schema/crmExport.ts';
import { checkExportSettings, problemsAt, requiredNotCovered, type ExportCheckContext } from './checkExportSettings.ts';

const text = (name: string, label: string, extra: Partial<CrmField> = {}): CrmField => ({
  name,
  label,
  type: 'string',
  filterable: true,
  createable: true,
  updateable: true,
  requiredOnCreate: false,
  maxLength: 80,
  text: true,
  ...extra,
});

// A Salesforce-like Lead: LastName and Company required on create, Status defaulted, stamps read-only.
const LEAD: CrmField[] = [
  text('Email', 'Email', { type: 'email', text: false }),
  text('LastName', 'Last Name', { requiredOnCreate: true }),
  text('FirstName', 'First Name'),
  text('Company', 'Company', { requiredOnCreate: true }),
  text('Notes__c', 'Notes', { type: 'textarea', maxLength: 32000, filterable: false }),
  text('Engaged__c', 'Engaged', { type: 'boolean', text: false, maxLength: null }),
  text('Score__c', 'Score', { type: 'double', text: false, maxLength: null }),
  text('LeadSource', 'Lead Source', { type: 'picklist', text: false, options: [{ value: 'Web', label: 'Web' }, { value: 'Platform', label: 'Platform' }] }),
  text('SystemModstamp', 'System Modstamp', { type: 'datetime', text: false, createable: false, updateable: false }),
  text('OwnerId', 'Owner ID', { type: 'reference', text: false }),
];
const ACCOUNT: CrmField[] = [text('Name', 'Account Name', { requiredOnCreate: true }), text('Website', 'Website', { type: 'url', text: false })];

const context = (extra: Partial<ExportCheckContext> = {}): ExportCheckContext => ({
  crmName: 'Salesforce',
  people: { label: 'Leads', fields: LEAD },
  companies: { label: 'Accounts', fields: ACCOUNT },
  platformFields: [
    { key: 'email', label: 'Email', sensitive: true },
    { key: 'last_name', label: 'Last name', sensitive: false },
    { key: 'first_name', label: 'First name', sensitive: false },
    { key: 'company', label: 'Company', sensitive: false },
  ],
  crmUsers: [
    { id: '005A', name: 'Ada Admin', email: 'ada@example.com', active: true },
    { id: '005B', name: 'Old Owner', email: null, active: false },
  ],
  ...extra,
});

const settings = (people: Record<string, unknown>, rest: Record<string, unknown> = {}): Settings =>
  ExportSettings.parse({
    people: { target: 'lead', identifiers: [{ platformField: 'email', crmProperty: 'Email' }], ...people },
    sensitiveAllowed: ['email'],
    ...rest,
  });

const GOOD = {
  fields: [
    { platformField: 'last_name', crmProperty: 'LastName' },
    { platformField: 'company', crmProperty: 'Company', defaultOnCreate: 'Unknown' },
  ],
};

describe('checkExportSettings', () => {
  it('finds nothing wrong in settings that fit the CRM', () => {
    expect(checkExportSettings(settings(GOOD), context())).toEqual([]);
  });

  it('names the CRM fields required on create that nothing fills', () => {
    const problems = checkExportSettings(settings({ fields: [{ platformField: 'first_name', crmProperty: 'FirstName' }] }), context());
    expect(problems).toEqual([
      {
        path: ['people'],
        code: 'required_not_covered',
        message: 'Salesforce needs “Last Name” and “Company” to create Leads: map them in Export mapping, give them a fixed value or a default on create.',
      },
    ]);
  });

  it('counts a fixed value and a required export-time field as filling a required property, an optional one not', () => {
    const covered = settings({
      fields: [{ platformField: 'last_name', crmProperty: 'LastName' }],
      fixed: [{ crmProperty: 'Company', value: 'Self-employed' }],
    });
    expect(checkExportSettings(covered, context())).toEqual([]);
    const optional = settings({ fields: [{ platformField: 'last_name', crmProperty: 'LastName' }], exportTime: [{ crmProperty: 'Company', label: 'Company' }] });
    expect(checkExportSettings(optional, context()).map((p) => p.code)).toEqual(['required_not_covered']);
    const required = settings({ fields: [{ platformField: 'last_name', crmProperty: 'LastName' }], exportTime: [{ crmProperty: 'Company', label: 'Company', required: true }] });
    expect(checkExportSettings(required, context())).toEqual([]);
  });

  it('refuses unknown, read-only and link properties, each at its path', () => {
    const problems = checkExportSettings(
      settings({
        ...GOOD,
        fixed: [
          { crmProperty: 'Gone__c', value: 'x' },
          { crmProperty: 'SystemModstamp', value: '2026-01-01' },
          { crmProperty: 'OwnerId', value: '005A' },
        ],
      }),
      context(),
    );
    expect(problems.map((p) => [p.path.join('.'), p.code])).toEqual([
      ['people.fixed.0.crmProperty', 'unknown_property'],
      ['people.fixed.1.crmProperty', 'not_writable'],
      ['people.fixed.2.crmProperty', 'unsupported_type'],
    ]);
    expect(problems[0]?.message).toBe('Salesforce has no property “Gone__c” on Leads (it may have been deleted or renamed).');
  });

  it('lets a from-CRM mapping read a property it cannot write', () => {
    const s = settings({ fields: [...GOOD.fields, { platformField: 'first_name', crmProperty: 'SystemModstamp', direction: 'from_crm' }] });
    expect(checkExportSettings(s, context())).toEqual([]);
  });

  it('sends campaign metrics only to text properties', () => {
    const problems = checkExportSettings(settings({ ...GOOD, campaign: { opens: 'Notes__c', clicks: 'Score__c' } }), context());
    expect(problems).toEqual([
      {
        path: ['people', 'campaign', 'clicks'],
        code: 'metric_not_text',
        message: 'Clicks is text: it can only go to a text property, and “Score” is a double property.',
      },
    ]);
  });

  it('checks fixed, default and engagement values against picklist labels and types', () => {
    const problems = checkExportSettings(
      settings({
        fields: [GOOD.fields[0], { platformField: 'company', crmProperty: 'Company', defaultOnCreate: 'x'.repeat(81) }],
        fixed: [{ crmProperty: 'LeadSource', value: 'platform' }],
        engagement: [
          { crmProperty: 'Engaged__c', value: 'maybe' },
          { crmProperty: 'Score__c', value: '12,5' },
        ],
      }),
      context(),
    );
    expect(problems.map((p) => [p.path.join('.'), p.message])).toEqual([
      ['people.fields.1.defaultOnCreate', '“Company”: at most 80 characters (this value has 81).'],
      ['people.fixed.0.value', '“Lead Source”: “platform” is not one of its choices; did you mean “Platform”?'],
      ['people.engagement.0.value', '“Engaged”: use Yes or No.'],
      ['people.engagement.1.value', '“Score”: “12,5” is not a number (write it like 1234.5).'],
    ]);
    const fine = settings({ ...GOOD, fixed: [{ crmProperty: 'LeadSource', value: 'Platform' }], engagement: [{ crmProperty: 'Engaged__c', value: 'Yes' }, { crmProperty: 'Score__c', value: '12.5' }] });
    expect(checkExportSettings(fine, context())).toEqual([]);
  });

  it('needs identifiers that exist and can be searched', () => {
    const problems = checkExportSettings(
      settings({ ...GOOD, identifiers: [{ platformField: 'email', crmProperty: 'Mail' }, { platformField: 'first_name', crmProperty: 'Notes__c' }] }),
      context(),
    );
    expect(problems.map((p) => [p.path.join('.'), p.code])).toEqual([
      ['people.identifiers.0.crmProperty', 'unknown_property'],
      ['people.identifiers.1.crmProperty', 'unsupported_type'],
    ]);
  });

  it('sends a sensitive platform field only when an admin allowed it, identifiers included', () => {
    const notAllowed = settings(GOOD, { sensitiveAllowed: [] });
    expect(checkExportSettings(notAllowed, context())).toEqual([
      {
        path: ['people', 'identifiers', 0, 'platformField'],
        code: 'sensitive_not_allowed',
        message: '“Email” is sensitive: it is sent to Salesforce only when an admin allows it under Sensitive fields.',
      },
    ]);
  });

  it('refuses a property written twice, but not an identifier mapped again from the same field', () => {
    const problems = checkExportSettings(
      settings({
        fields: [...GOOD.fields, { platformField: 'email', crmProperty: 'Email' }],
        fixed: [{ crmProperty: 'LeadSource', value: 'Web' }],
        engagement: [{ crmProperty: 'LeadSource', value: 'Platform' }],
      }),
      context(),
    );
    expect(problems).toEqual([
      {
        path: ['people', 'engagement', 0, 'crmProperty'],
        code: 'duplicate',
        message: '“Lead Source” is already written by Fixed fields: a property can get its value from one place only.',
      },
    ]);
  });

  it('checks companies against the Account table and owners against the CRM users', () => {
    const problems = checkExportSettings(
      settings(GOOD, {
        companies: { identifier: { platformField: 'company', crmProperty: 'Website' }, fields: [] },
        owners: { users: [{ platformUserEmail: 'a@example.com', crmUserId: '005X' }, { platformUserEmail: 'A@example.com', crmUserId: '005A' }], defaultOwnerId: '005B' },
      }),
      context(),
    );
    expect(problems.map((p) => [p.path.join('.'), p.code])).toEqual([
      ['companies', 'required_not_covered'],
      ['owners.users.0.crmUserId', 'unknown_user'],
      ['owners.users.1.platformUserEmail', 'duplicate'],
      ['owners.defaultOwnerId', 'unknown_user'],
    ]);
    expect(problems[3]?.message).toBe('Old Owner is no longer active in Salesforce: records cannot be given to them.');
  });

  it('flags platform fields the workspace does not have', () => {
    const problems = checkExportSettings(settings({ fields: [...GOOD.fields, { platformField: 'loyalty', crmProperty: 'FirstName' }] }, { sensitiveAllowed: ['email', 'nope'] }), context());
    expect(problems.map((p) => p.path.join('.'))).toEqual(['sensitiveAllowed.1', 'people.fields.2.platformField']);
  });

  it('problemsAt picks the problems of one row', () => {
    const problems = checkExportSettings(settings({ ...GOOD, fixed: [{ crmProperty: 'Gone__c', value: 'x' }] }), context());
    expect(problemsAt(problems, ['people', 'fixed', 0])).toHaveLength(1);
    expect(problemsAt(problems, ['people', 'fields'])).toHaveLength(0);
  });
});

describe('requiredNotCovered', () => {
  it('sees a field the CRM made required after the settings were saved, and nothing else the save checks', () => {
    // Saved when they fitted: an unknown platform field and an inactive owner are the save's problems, not the push's.
    const saved = settings(GOOD, { owners: { ownerField: 'owner_email', users: [], defaultOwnerId: '005B' } });
    expect(requiredNotCovered(saved, context())).toEqual([]);
    const nowRequired = LEAD.map((f) => (f.name === 'FirstName' ? { ...f, requiredOnCreate: true } : f));
    expect(requiredNotCovered(saved, context({ people: { label: 'Leads', fields: nowRequired } }))).toEqual([
      {
        path: ['people'],
        code: 'required_not_covered',
        message: 'Salesforce needs “First Name” to create Leads: map it in Export mapping, give it a fixed value or a default on create.',
      },
    ]);
    const accountRequired = [...ACCOUNT, text('Industry', 'Industry', { requiredOnCreate: true })];
    const withCompanies = settings(GOOD, { companies: { identifier: { platformField: 'company', crmProperty: 'Name' } } });
    expect(requiredNotCovered(withCompanies, context({ companies: { label: 'Accounts', fields: accountRequired } })).map((p) => p.path)).toEqual([['companies']]);
  });
});
