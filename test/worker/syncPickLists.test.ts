import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { Field } from '../../shared/schema/fields.ts';
import type { SyncRunReport } from '../../shared/schema/syncs.ts';
import type { PicklistValueAdded } from '../servers/salesforce/controlTypes.ts';
import { connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { ok, rows, sendBatch, startBody, startImport } from './support/api.ts';
import { dynamicsSync } from './sync/dynamicsSync.ts';
import { changeRecords, contacts, createSync, runNow, settings, settled } from './sync/syncHelpers.ts';
import { guid } from '../servers/dynamics/tables.ts';
import { recordId } from '../servers/salesforce/records.ts';
import { storedMembers } from './support/storedMembers.ts';

/** The ids the fake gives the contacts given at org creation (numbered from 900,000). */
async function contactIds(org: FakeOrgHandle): Promise<string[]> {
  const index = Number(org.loginUrl.split('/orgs/')[1]?.split('/')[0]);
  return [0, 1, 2].map((i) => recordId('003', index, 900_000 + i));
}

/** Adds a value to a pick list "in Salesforce Setup" (test/servers/salesforce control API). */
async function addPicklistValue(org: FakeOrgHandle, added: PicklistValueAdded): Promise<void> {
  const res = await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${org.loginUrl.split('/orgs/')[1]?.split('/')[0]}/picklists`, {
    method: 'POST',
    body: JSON.stringify(added),
  });
  if (!res.ok) throw new Error(`pick list change refused: ${res.status}`);
}

async function leadSources(audienceId: string): Promise<Record<string, string | null>> {
  return attributeOf(audienceId, FIELD_KEY);
}

const FIELD_KEY = 'lead_source';
// The fake's Contact.LeadSource: active values, in Salesforce's order ("Trade Show" is inactive, so not offered).
const ACTIVE_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];

describe('pick lists of a sync', () => {
  it('make the pick list the allowed values of the field, report an unknown value, and accept it once the CRM has it', async () => {
    await ok<Field>('POST', '/api/fields', { label: 'Lead source', key: FIELD_KEY, type: 'text' });
    const [web, partner, webinar] = contacts(3);
    const org = await createOrg({
      records: { Contact: [{ ...web, LeadSource: 'Web' }, { ...partner, LeadSource: 'Partner Referral' }, { ...webinar, LeadSource: 'Webinar' }] },
    });
    const mapped = settings();
    mapped.mapping.columns.push({ column: 'LeadSource', target: FIELD_KEY, sensitive: false });
    const sync = await createSync(await connect(org), mapped);

    const first = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(first).toMatchObject({ status: 'succeeded', pulled: 3 });
    expect(first.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 0, rejected: 1, skipped: 0 });
    const { report } = await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${first.id}`);
    expect(report.errors).toEqual([
      {
        row: 3,
        column: 'LeadSource',
        code: 'value_not_allowed',
        message: `"Webinar" is not one of the allowed values of Lead source: ${ACTIVE_SOURCES.join(', ')}.`,
        value: 'Webinar',
      },
    ]);
    const field = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === FIELD_KEY);
    expect(field?.allowedValues).toEqual(ACTIVE_SOURCES.map((s) => ({ label: s, code: s })));

    // The same rule for every import into the field: a CSV's value must be one of them too (label, case aside, or code).
    const csv = await startImport(startBody([{ column: 'Email', target: 'email' }, { column: 'Source', target: FIELD_KEY }], 'Email'));
    const batch = await sendBatch(csv.id, 0, rows(1, [['x@example.com', 'phone inquiry'], ['y@example.com', 'Webinar']]));
    expect(batch.counts).toMatchObject({ inserted: 1, rejected: 1 });
    expect(batch.errors.map((e) => [e.row, e.code])).toEqual([[2, 'value_not_allowed']]);

    // Added in Salesforce, with a label of its own: the next run refreshes the pick list and pulls everything again,
    // so the record rejected before comes in, holding the label.
    await addPicklistValue(org, { object: 'Contact', field: 'LeadSource', value: 'Webinar', label: 'Webinar (online)' });
    const second = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(second).toMatchObject({ status: 'succeeded', incremental: false, pulled: 3 });
    expect(second.counts).toEqual({ received: 3, inserted: 1, updated: 2, duplicates: 0, rejected: 0, skipped: 0 });
    expect(await leadSources(sync.audienceId)).toEqual({
      'person1@example.com': 'Web',
      'person2@example.com': 'Partner Referral',
      'person3@example.com': 'Webinar (online)',
    });
    const refreshed = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === FIELD_KEY);
    expect(refreshed?.allowedValues?.at(-1)).toEqual({ label: 'Webinar (online)', code: 'Webinar' });

    // Nothing gained since: the run after is incremental again.
    const third = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(third).toMatchObject({ status: 'succeeded', incremental: true });
  });

  it('holds Dataverse choices by label, and reports a code the option set does not have', async () => {
    await ok<Field>('POST', '/api/fields', { label: 'Gender', key: 'gender_choice', type: 'text' });
    // Options 1 Male, 2 Female; 7 is no option (Dataverse then sends no formatted value, only the number).
    const codes = [1, 2, 7];
    const { sync } = await dynamicsSync(inject('dynamicsUrl'), 3, 2, {
      extra: (i) => ({ gendercode: codes[i] }),
      columns: [{ column: 'gendercode', target: 'gender_choice', sensitive: false }],
    });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 0, rejected: 1, skipped: 0 });
    const { report } = await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${run.id}`);
    expect(report.errors.map((e) => [e.row, e.column, e.code, e.message])).toEqual([
      [3, 'gendercode', 'value_not_allowed', '"7" is not one of the allowed values of Gender: Male, Female.'],
    ]);
    const field = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === 'gender_choice');
    expect(field?.allowedValues).toEqual([
      { label: 'Male', code: '1' },
      { label: 'Female', code: '2' },
    ]);
    expect((await storedMembers(sync.audienceId)).map((m) => m.attributes.gender_choice).sort()).toEqual(['Female', 'Male']);
  });
});

async function attributeOf(audienceId: string, key: string): Promise<Record<string, string | null>> {
  // Sorted by email, as the entries were when SQL ordered them.
  const members = (await storedMembers(audienceId)).sort((a, b) => ((a.attributes.email ?? '') < (b.attributes.email ?? '') ? -1 : 1));
  return Object.fromEntries(members.map((m) => [m.attributes.email as string, m.attributes[key] ?? null]));
}

describe('multi-select pick lists and retired values', () => {
  it('Salesforce: checks each value, stores one form, reports each value not allowed; a retired value stays with its member', async () => {
    await ok<Field>('POST', '/api/fields', { label: 'Music taste', key: 'music_taste', type: 'text' });
    const [one, two, three] = contacts(3);
    const org = await createOrg({
      records: { Contact: [{ ...one, Interests__c: 'Rock;Jazz' }, { ...two, Interests__c: 'Jazz;Polka;Opera' }, { ...three, Interests__c: 'Classical' }] },
    });
    const mapped = settings();
    mapped.mapping.columns.push({ column: 'Interests__c', target: 'music_taste', sensitive: false });
    const sync = await createSync(await connect(org), mapped);

    const first = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(first.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 0, rejected: 1, skipped: 0 });
    const { report } = await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${first.id}`);
    expect(report.errors.map((e) => [e.row, e.code, e.message])).toEqual([
      [2, 'value_not_allowed', '"Polka" is not one of the allowed values of Music taste: Jazz, Rock, Classical, Hip-hop.'],
      [2, 'value_not_allowed', '"Opera" is not one of the allowed values of Music taste: Jazz, Rock, Classical, Hip-hop.'],
    ]);
    // Labels in the pick list's order, "; " between them.
    expect(await attributeOf(sync.audienceId, 'music_taste')).toEqual({ 'person1@example.com': 'Jazz; Rock', 'person3@example.com': 'Classical' });
    const field = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === 'music_taste');
    expect(field).toMatchObject({ multipleValues: true, allowedValues: ['Jazz', 'Rock', 'Classical', 'Hip-hop'].map((v) => ({ label: v, code: v })) });

    // "Rock" made inactive in Setup: kept as a retired value, so person1 keeps it; a record carrying it is reported.
    await addPicklistValue(org, { object: 'Contact', field: 'Interests__c', value: 'Rock', label: 'Rock', active: false });
    await changeRecords(org.loginUrl, { object: 'Contact', upsert: [{ Id: (await contactIds(org))[0] as string, FirstName: 'Renamed' }] });
    const second = await settled(sync.id, (await runNow(sync.id)).run.id);
    // person1's record, and person3's again (the overlap window): one rejected, for its retired value.
    expect(second.counts).toMatchObject({ received: 2, rejected: 1 });
    const secondReport = (await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${second.id}`)).report;
    expect(secondReport.errors.map((e) => e.message)).toEqual([
      '"Rock" was retired from Music taste in the CRM and can no longer be stored; its values are: Jazz, Classical, Hip-hop.',
    ]);
    expect((await attributeOf(sync.audienceId, 'music_taste'))['person1@example.com']).toBe('Jazz; Rock');
    const refreshed = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === 'music_taste');
    expect(refreshed?.allowedValues).toEqual([
      { label: 'Jazz', code: 'Jazz' },
      { label: 'Classical', code: 'Classical' },
      { label: 'Hip-hop', code: 'Hip-hop' },
      { label: 'Rock', code: 'Rock', retired: true },
    ]);

    // A new import of the retired value is reported too, whatever the source.
    const csv = await startImport(startBody([{ column: 'Email', target: 'email' }, { column: 'Taste', target: 'music_taste' }], 'Email'));
    const batch = await sendBatch(csv.id, 0, rows(1, [['x@example.com', 'hip-hop;jazz'], ['y@example.com', 'rock']]));
    expect(batch.counts).toMatchObject({ inserted: 1, rejected: 1 });
    expect(batch.errors.map((e) => [e.row, e.code, e.value])).toEqual([[2, 'value_not_allowed', 'rock']]);
  });

  it('Dataverse: a MultiSelectPicklist "1,2" comes as labels; an option removed in the CRM becomes a retired value', async () => {
    await ok<Field>('POST', '/api/fields', { label: 'Hobbies', key: 'hobbies', type: 'text' });
    const interests = [[2, 1], [2], [1, 9]];
    const { fake, sync } = await dynamicsSync(inject('dynamicsUrl'), 3, 2, {
      extra: (i) => ({ new_interests: interests[i] }),
      columns: [{ column: 'new_interests', target: 'hobbies', sensitive: false }],
    });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 0, rejected: 1, skipped: 0 });
    const { report } = await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${run.id}`);
    // No option 9: Dataverse formats it as the bare number.
    expect(report.errors.map((e) => [e.row, e.message])).toEqual([[3, '"9" is not one of the allowed values of Hobbies: Sports, Music.']]);
    expect(await attributeOf(sync.audienceId, 'hobbies')).toEqual({ 'person1@example.com': 'Sports; Music', 'person2@example.com': 'Music' });

    await fake.control({ removeContactOption: { attribute: 'new_interests', value: 2 }, changeContacts: { upsert: [{ contactid: guid(2, 0xc5), firstname: 'Changed' }] } });
    const next = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(next.counts).toMatchObject({ rejected: 1, updated: 0 });
    const nextReport = (await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${next.id}`)).report;
    expect(nextReport.errors.map((e) => e.message)).toEqual(['"Music" was retired from Hobbies in the CRM and can no longer be stored; its values are: Sports.']);
    expect(await attributeOf(sync.audienceId, 'hobbies')).toEqual({ 'person1@example.com': 'Sports; Music', 'person2@example.com': 'Music' });
    const field = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === 'hobbies');
    expect(field?.allowedValues).toEqual([
      { label: 'Sports', code: '1' },
      { label: 'Music', code: '2', retired: true },
    ]);
  });
});
