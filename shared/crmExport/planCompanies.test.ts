import { describe, expect, it } from 'vitest';
import { CompanyExport, ExportSettings } from '../schema/crmExport.ts';
import { COMPANY_LINK_FIELD, companiesOf, companyLink, companyPlanSettings, linkedMember, planCompany, withCompanyLink } from './planCompanies.ts';
import { planRecord, type PlanSettings, type PushMember } from './planPush.ts';

const companies = CompanyExport.parse({
  identifier: { platformField: 'company', crmProperty: 'Name' },
  fields: [{ platformField: 'website', crmProperty: 'Website', overwrite: false }],
  fixed: [{ crmProperty: 'Type', value: 'Prospect' }],
});

function member(id: string, values: Record<string, string>, updatedAt = '2026-03-01T00:00:00.000Z'): PushMember {
  return { id, key: `${id}@example.com`, values: { email: `${id}@example.com`, ...values }, sensitiveFields: [], updatedAt, engagement: null };
}

const accountSettings = companyPlanSettings(companies, [], 'OwnerId');

describe('companiesOf', () => {
  it('groups members by company as the CRM compares names, and leaves out members without one', () => {
    const groups = companiesOf([member('a', { company: 'Acme' }), member('b', { company: 'ACME ' }), member('c', {}), member('d', { company: 'Globex' })], companies, []);
    expect(groups.map((g) => [g.value, g.members.map((m) => m.id)])).toEqual([
      ['Acme', ['a', 'b']],
      ['Globex', ['d']],
    ]);
  });

  it('never groups by a sensitive company field an admin did not allow', () => {
    const hidden = { ...member('a', { company: 'Acme' }), sensitiveFields: ['company'] };
    expect(companiesOf([hidden], companies, [])).toEqual([]);
    expect(companiesOf([hidden], companies, ['company'])).toHaveLength(1);
  });
});

describe('planCompany', () => {
  const [acme] = companiesOf([member('a', { company: 'Acme' }), member('b', { company: 'Acme', website: 'acme.example' })], companies, []);
  if (!acme) throw new Error('no group');

  it('creates a missing Account with its name, the first value members have for each field, and the fixed values', () => {
    const plan = planCompany(acme, accountSettings, []);
    expect(plan.action).toBe('create');
    expect(Object.fromEntries(plan.changes.map((c) => [c.crmProperty, c.newValue]))).toEqual({ Name: 'Acme', Website: 'acme.example', Type: 'Prospect' });
    expect(plan.changes.some((c) => c.crmProperty === 'OwnerId')).toBe(false);
  });

  it('matches the Account by name regardless of case; overwrite off keeps its value; nothing to change is a skip', () => {
    const found = [{ id: '001A', modifiedAt: null, values: { Name: 'ACME', Website: 'old.example', Type: 'Prospect', OwnerId: '005X' } }];
    expect(planCompany(acme, accountSettings, found)).toMatchObject({ action: 'skip', recordId: '001A' });
    const other = [{ id: '001B', modifiedAt: null, values: { Name: 'Acme Holdings', Website: null, Type: null, OwnerId: null } }];
    expect(planCompany(acme, accountSettings, other).action).toBe('create');
  });

  it('two Accounts with the name are a conflict: nothing written, no link', () => {
    const twice = ['001A', '001B'].map((id) => ({ id, modifiedAt: null, values: { Name: 'Acme', Website: null, Type: null, OwnerId: null } }));
    expect(planCompany(acme, accountSettings, twice).action).toBe('conflict');
  });

  it('the Account remembered from an earlier push is the one updated, even renamed in the CRM or beside a namesake', () => {
    const renamed = { id: '001R', modifiedAt: null, values: { Name: 'Acme Rockets Inc.', Website: null, Type: 'Customer', OwnerId: null } };
    const namesakes = ['001A', '001B'].map((id) => ({ id, modifiedAt: null, values: { Name: 'Acme', Website: null, Type: null, OwnerId: null } }));
    const plan = planCompany(acme, accountSettings, namesakes, renamed);
    expect(plan).toMatchObject({ action: 'update', recordId: '001R' });
    // Its name is not put back: an update writes fields and fixed values, not the identifier it was found by.
    expect(plan.changes).toEqual([
      { crmProperty: 'Website', crmValue: null, newValue: 'acme.example' },
      { crmProperty: 'Type', crmValue: 'Customer', newValue: 'Prospect' },
    ]);
  });
});

describe('linking people to their company', () => {
  const people: PlanSettings = {
    ...ExportSettings.parse({ people: { target: 'contact', identifiers: [{ platformField: 'email', crmProperty: 'Email' }], fields: [{ platformField: 'company', crmProperty: 'AccountId' }] } }),
    ownerProperty: 'OwnerId',
  };
  const run = { exportTimeValues: {}, runnerEmail: null };

  it('names the link per CRM and target; Leads get the company as text', () => {
    expect(companyLink('salesforce', 'contact')).toEqual({ property: 'AccountId', by: 'record' });
    expect(companyLink('salesforce', 'lead')).toEqual({ property: 'Company', by: 'name' });
    expect(companyLink('dynamics', 'contact')).toEqual({ property: 'parentcustomerid', by: 'record' });
    expect(companyLink('dynamics', 'lead')).toEqual({ property: 'companyname', by: 'name' });
  });

  it('writes the Account id on create and when it differs, replaces a mapping of the same property, and leaves a linked record alone', () => {
    const settings = withCompanyLink(people, companyLink('salesforce', 'contact'));
    expect(settings.people.fields.filter((f) => f.crmProperty === 'AccountId').map((f) => f.platformField)).toEqual([COMPANY_LINK_FIELD]);
    const linked = linkedMember(member('a', { company: 'Acme' }), '001A');
    const none = { remembered: null, byIdentifier: [[]] };
    expect(planRecord(linked, settings, run, none).changes).toContainEqual({ crmProperty: 'AccountId', crmValue: null, newValue: '001A' });
    const record = { id: '003A', modifiedAt: null, values: { Email: 'a@example.com', AccountId: '001Z', OwnerId: null } };
    expect(planRecord(linked, settings, run, { remembered: record, byIdentifier: [[]] }).changes).toEqual([{ crmProperty: 'AccountId', crmValue: '001Z', newValue: '001A' }]);
    expect(planRecord(linked, settings, run, { remembered: { ...record, values: { ...record.values, AccountId: '001A' } }, byIdentifier: [[]] }).action).toBe('skip');
    // A member whose company has no Account (a conflict, a failure) keeps the record's link as it is.
    expect(planRecord(linkedMember(member('a', {}), null), settings, run, { remembered: record, byIdentifier: [[]] }).action).toBe('skip');
  });
});
