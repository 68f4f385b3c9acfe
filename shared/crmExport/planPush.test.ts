import { describe, expect, it } from 'vitest';
import { ExportSettings } from '../schema/crmExport.ts';
import { missingExportTimeValues, planRecord, propertiesRead, type MemberMatches, type PlanSettings, type PushMember, type RecordSnapshot } from './planPush.ts';

function settingsOf(over: Partial<{ people: object; owners: object; sensitiveAllowed: string[] }> = {}): PlanSettings {
  const parsed = ExportSettings.parse({
    people: {
      target: 'contact',
      identifiers: [
        { platformField: 'email', crmProperty: 'Email' },
        { platformField: 'phone', crmProperty: 'Phone' },
      ],
      fields: [
        { platformField: 'email', crmProperty: 'Email' },
        { platformField: 'first_name', crmProperty: 'FirstName' },
        { platformField: 'last_name', crmProperty: 'LastName', defaultOnCreate: 'Unknown' },
        { platformField: 'city', crmProperty: 'MailingCity', overwrite: false },
        { platformField: 'title', crmProperty: 'Title', direction: 'two_way' },
        { platformField: 'company', crmProperty: 'Department', direction: 'from_crm' },
      ],
      ...over.people,
    },
    owners: over.owners,
    sensitiveAllowed: over.sensitiveAllowed,
  });
  return { ...parsed, ownerProperty: 'OwnerId' };
}

const run = { exportTimeValues: {}, runnerEmail: null };

function member(over: Partial<PushMember> = {}): PushMember {
  return {
    id: '1',
    key: 'ada@example.com',
    values: { email: 'ada@example.com', first_name: 'Ada', city: 'London', title: 'CTO', company: 'Analytical' },
    sensitiveFields: [],
    updatedAt: '2026-03-10T00:00:00.000Z',
    engagement: null,
    ...over,
  };
}

const record = (values: Record<string, string | null>, over: Partial<RecordSnapshot> = {}): RecordSnapshot => ({
  id: '003A',
  modifiedAt: '2026-03-01T00:00:00.000Z',
  values,
  ...over,
});

const none: MemberMatches = { remembered: null, byIdentifier: [[], []] };
const byEmail = (r: RecordSnapshot): MemberMatches => ({ remembered: null, byIdentifier: [[r], []] });
const changed = (plan: { changes: { crmProperty: string; newValue: string | null }[] }) =>
  Object.fromEntries(plan.changes.map((c) => [c.crmProperty, c.newValue]));

describe('planRecord: matching', () => {
  it('creates when no identifier finds a record', () => {
    expect(planRecord(member(), settingsOf(), run, none).action).toBe('create');
  });

  it('creates with the identifier values it looked for, mapped or not, so the next push or a retry finds the record', () => {
    const onlyIdentifiers = settingsOf({ people: { fields: [{ platformField: 'first_name', crmProperty: 'FirstName' }] } });
    const plan = planRecord(member({ values: { email: 'ada@example.com', phone: '+44 20 7946 0000', first_name: 'Ada' } }), onlyIdentifiers, run, none);
    expect(changed(plan)).toEqual({ Email: 'ada@example.com', Phone: '+44 20 7946 0000', FirstName: 'Ada' });
  });

  it('updates the remembered record before looking by identifier', () => {
    const remembered = record({ Email: 'ada@example.com', FirstName: 'A.' }, { id: 'REM' });
    const plan = planRecord(member(), settingsOf(), run, { remembered, byIdentifier: [[record({}), record({})], []] });
    expect(plan).toMatchObject({ action: 'update', recordId: 'REM' });
  });

  it('falls through to the next identifier when the first finds nothing', () => {
    const plan = planRecord(member(), settingsOf(), run, { remembered: null, byIdentifier: [[], [record({ Phone: '+1' }, { id: 'BYPHONE' })]] });
    expect(plan.recordId).toBe('BYPHONE');
  });

  it('is a conflict when several records match, and writes nothing', () => {
    const plan = planRecord(member(), settingsOf(), run, { remembered: null, byIdentifier: [[record({}, { id: 'a' }), record({}, { id: 'b' })], []] });
    expect(plan.action).toBe('conflict');
    expect(plan.changes).toEqual([]);
    expect(plan.reason).toMatch(/Several CRM records match \(2 with the same Email\)/);
  });

  it('skips a matched record that already holds every value', () => {
    const same = record({ Email: 'ada@example.com', FirstName: 'Ada', LastName: 'Lovelace', MailingCity: 'London', Title: 'CTO' });
    expect(planRecord(member(), settingsOf(), run, byEmail(same))).toMatchObject({ action: 'skip', changes: [] });
  });
});

describe('planRecord: fields', () => {
  it('on create writes mapped values, defaults for empty ones, never from_crm fields', () => {
    const plan = planRecord(member(), settingsOf(), run, none);
    expect(changed(plan)).toEqual({ Email: 'ada@example.com', FirstName: 'Ada', LastName: 'Unknown', MailingCity: 'London', Title: 'CTO' });
    expect(plan.changes.every((c) => c.crmValue === null)).toBe(true);
  });

  it('overwrite on replaces a CRM value; off only fills an empty one', () => {
    const plan = planRecord(member(), settingsOf(), run, byEmail(record({ Email: 'ada@example.com', FirstName: 'Augusta', MailingCity: 'Paris' })));
    expect(changed(plan)).toMatchObject({ FirstName: 'Ada' });
    expect(changed(plan)).not.toHaveProperty('MailingCity');
    expect(plan.changes.find((c) => c.crmProperty === 'FirstName')).toEqual({ crmProperty: 'FirstName', crmValue: 'Augusta', newValue: 'Ada' });
    const empty = planRecord(member(), settingsOf(), run, byEmail(record({ Email: 'ada@example.com', MailingCity: '' })));
    expect(changed(empty)).toMatchObject({ MailingCity: 'London' });
  });

  it('never blanks a CRM value the member has no value for, and applies no default on update', () => {
    const plan = planRecord(member({ values: { email: 'ada@example.com' } }), settingsOf(), run, byEmail(record({ Email: 'ada@example.com', FirstName: 'Augusta' })));
    expect(plan.action).toBe('skip');
  });

  it('two-way: the side modified most recently wins, listed with both values and times', () => {
    const crmOlder = planRecord(member(), settingsOf(), run, byEmail(record({ Email: 'ada@example.com', Title: 'CEO' }, { modifiedAt: '2026-03-01T00:00:00Z' })));
    expect(changed(crmOlder)).toMatchObject({ Title: 'CTO' });
    expect(crmOlder.conflicts).toEqual([
      { crmProperty: 'Title', ourValue: 'CTO', ourModifiedAt: '2026-03-10T00:00:00.000Z', crmValue: 'CEO', crmModifiedAt: '2026-03-01T00:00:00Z', winner: 'ours' },
    ]);
    const crmNewer = planRecord(member(), settingsOf(), run, byEmail(record({ Email: 'ada@example.com', Title: 'CEO' }, { modifiedAt: '2026-03-20T00:00:00Z' })));
    expect(changed(crmNewer)).not.toHaveProperty('Title');
    expect(crmNewer.conflicts[0]?.winner).toBe('crm');
  });

  it('writes fixed fields and export-time values, on create and update', () => {
    const s = settingsOf({ people: { fixed: [{ crmProperty: 'LeadSource', value: 'Platform' }], exportTime: [{ crmProperty: 'Campaign__c', label: 'Campaign', required: true }] } });
    const withValue = { exportTimeValues: { Campaign__c: 'Spring' }, runnerEmail: null };
    expect(changed(planRecord(member(), s, withValue, none))).toMatchObject({ LeadSource: 'Platform', Campaign__c: 'Spring' });
    const update = planRecord(member(), s, withValue, byEmail(record({ Email: 'ada@example.com', LeadSource: 'Web', FirstName: 'Ada', MailingCity: 'x', Title: 'CTO' })));
    expect(changed(update)).toEqual({ LeadSource: 'Platform', Campaign__c: 'Spring' });
    expect(missingExportTimeValues(s.people, {})).toEqual(['Campaign__c']);
    expect(missingExportTimeValues(s.people, withValue.exportTimeValues)).toEqual([]);
  });

  it('sets engagement fields only for engaged members, and campaign metrics from the summary', () => {
    const s = settingsOf({ people: { engagement: [{ crmProperty: 'Engaged__c', value: 'Yes' }], campaign: { opens: 'Opens__c', engagement_status: 'Status__c' } } });
    const engaged = member({ engagement: { engaged: true, metrics: { opens: '3', engagement_status: 'Clicked at step 2' }, lastEventAt: '2026-03-02T00:00:00Z' } });
    expect(changed(planRecord(engaged, s, run, none))).toMatchObject({ Engaged__c: 'Yes', Opens__c: '3', Status__c: 'Clicked at step 2' });
    const quiet = planRecord(member(), s, run, none);
    expect(changed(quiet)).not.toHaveProperty('Engaged__c');
    expect(changed(quiet)).not.toHaveProperty('Opens__c');
  });
});

describe('planRecord: owner', () => {
  const owners = { ownerField: 'owner_email', users: [{ platformUserEmail: 'sam@corp.example', crmUserId: '005SAM' }], defaultOwnerId: '005DEF' };

  it('maps the member’s owner to a CRM user, else the default owner, on create', () => {
    const s = settingsOf({ owners });
    expect(changed(planRecord(member({ values: { email: 'a@x.example', owner_email: 'SAM@corp.example' } }), s, run, none)).OwnerId).toBe('005SAM');
    expect(changed(planRecord(member({ values: { email: 'a@x.example', owner_email: 'who@corp.example' } }), s, run, none)).OwnerId).toBe('005DEF');
  });

  it('takes the user who runs the push when no owner field is set', () => {
    const s = settingsOf({ owners: { ...owners, ownerField: null } });
    expect(changed(planRecord(member(), s, { exportTimeValues: {}, runnerEmail: 'sam@corp.example' }, none)).OwnerId).toBe('005SAM');
  });

  it('on update a mapped user replaces the owner, the default owner never does', () => {
    const s = settingsOf({ owners });
    const existing = record({ Email: 'a@x.example', OwnerId: '005OTHER' });
    expect(changed(planRecord(member({ values: { email: 'a@x.example', owner_email: 'sam@corp.example' } }), s, run, byEmail(existing))).OwnerId).toBe('005SAM');
    expect(changed(planRecord(member({ values: { email: 'a@x.example', owner_email: 'who@corp.example' } }), s, run, byEmail(existing)))).not.toHaveProperty('OwnerId');
  });
});

describe('planRecord: sensitive fields', () => {
  it('never sends a sensitive field unless allowed, nor matches by it', () => {
    const secret = member({ values: { email: 'ada@example.com', first_name: 'Ada' }, sensitiveFields: ['email'] });
    const plan = planRecord(secret, settingsOf(), run, none);
    expect(changed(plan)).not.toHaveProperty('Email');
    const allowed = planRecord(secret, settingsOf({ sensitiveAllowed: ['email'] }), run, none);
    expect(changed(allowed)).toMatchObject({ Email: 'ada@example.com' });
  });

  it('reads every property it compares', () => {
    const s = settingsOf({ people: { fixed: [{ crmProperty: 'LeadSource', value: 'Platform' }], campaign: { clicks: 'Clicks__c' } } });
    expect(propertiesRead(s)).toEqual(expect.arrayContaining(['Email', 'Phone', 'FirstName', 'Title', 'LeadSource', 'Clicks__c', 'OwnerId']));
    expect(propertiesRead(s)).not.toContain('Department');
  });
});
