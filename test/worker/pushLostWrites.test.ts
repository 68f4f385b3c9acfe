import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { CrmRecordRef } from '../../worker/connectors/connector.ts';
import { openWriter } from '../../worker/connectors/openConnector.ts';
import { fakeDataverse } from '../servers/dynamics/fakeControls.ts';
import { fakeDataverseWrites } from '../servers/dynamics/writeTypes.ts';
import type { WriteControl, WriteStats } from '../servers/salesforce/writeTypes.ts';
import { connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { requestAsAdmin } from './support/api.ts';
import { importAudience, linksOf, pushAndWait, saveExportSettings } from './push/pushHelpers.ts';

// A write the CRM applied but whose answer was lost (a 503 after the records were saved): the push must not send the
// creates again blindly. The fakes apply the request, then answer 503; the push finds the records by identifier and
// reports them created, once each.

const COLUMNS = [
  { column: 'Email', target: 'email' },
  { column: 'First name', target: 'first_name' },
  { column: 'Last name', target: 'last_name' },
];
const MEMBERS = [
  ['ann@example.com', 'Ann', 'Lee'],
  ['ben@example.com', 'Ben', 'Ray'],
  ['cal@example.com', 'Cal', 'Fox'],
  ['dot@example.com', 'Dot', 'Kim'],
  ['eli@example.com', 'Eli', 'Poe'],
];
const EMAILS = MEMBERS.map((m) => m[0] as string);

async function salesforceWrites(org: FakeOrgHandle, control?: WriteControl): Promise<WriteStats> {
  const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
  const res = await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/writes`, control ? { method: 'POST', body: JSON.stringify(control) } : {});
  return (await res.json()) as WriteStats;
}

async function found(connectionId: string, object: string, property: string, fields: string[]): Promise<CrmRecordRef[]> {
  const opened = await openWriter(testEnv, 'default', connectionId);
  if (!opened) throw new Error('no writer');
  return opened.writer.findBy(object, property, EMAILS, fields);
}

const dynamicsUrl = inject('dynamicsUrl');
const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: dynamicsUrl, DYNAMICS_ALLOWED_ORIGINS: dynamicsUrl };

describe('Sync to CRM after a write whose answer was lost', () => {
  it('Salesforce: creates by an external id go as upserts — a lost answer is sent again, no second lookup, no duplicates', async () => {
    const columns = [...COLUMNS, { column: 'Customer ID', target: 'customer_id' }];
    const { audienceId } = await importAudience(columns, 'Email', MEMBERS.map((m, i) => [...m, `C-${i + 1}`]));
    const org = await createOrg({ records: { Contact: [{ LastName: 'Lee', Email: 'ann@example.com', Custom_Field_001__c: 'C-1' }] } });
    const connectionId = await connect(org);
    const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
    const base = `${inject('fakeSalesforceUrl')}/__control/orgs/${n}`;
    // A Salesforce admin made the customer id field an external id: the describe says so, and records upsert by it.
    expect((await fetch(`${base}/fields`, { method: 'POST', body: JSON.stringify({ object: 'Contact', field: 'Custom_Field_001__c', externalId: true }) })).ok).toBe(true);
    await saveExportSettings(connectionId, {
      people: {
        target: 'contact',
        identifiers: [{ platformField: 'customer_id', crmProperty: 'Custom_Field_001__c' }],
        fields: [
          { platformField: 'first_name', crmProperty: 'FirstName' },
          { platformField: 'last_name', crmProperty: 'LastName' },
        ],
      },
    });
    const opened = await openWriter(testEnv, 'default', connectionId);
    expect(await opened?.writer.upsertKeys('Contact')).toEqual(['Custom_Field_001__c']);
    // The upserts' call is applied and its answer lost twice: sent again as it is each time (an upsert finds the
    // records the first one made), then the update's call.
    await salesforceWrites(org, { loseCollectionAnswers: 2 });
    const { push, report } = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} });
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: 4, updated: 1, failed: 0 } });
    // Looked up once: no lookup after the lost answer, which the creates sent as plain inserts would have needed.
    const stats = (await (await fetch(`${base}/stats`)).json()) as { queries: string[] };
    expect(stats.queries.filter((q) => q.includes('FROM Contact WHERE Custom_Field_001__c IN'))).toHaveLength(1);
    expect(await salesforceWrites(org)).toMatchObject({ collectionCalls: 4, collectionRecords: 4 * 3 + 1 });
    const ids = MEMBERS.map((_, i) => `C-${i + 1}`);
    const records = (await opened?.writer.findBy('Contact', 'Custom_Field_001__c', ids, ['Custom_Field_001__c', 'FirstName'])) ?? [];
    expect(records.map((r) => r.values.Custom_Field_001__c).sort()).toEqual(ids);
    expect(records.find((r) => r.values.Custom_Field_001__c === 'C-3')?.values.FirstName).toBe('Cal');
    expect(report.lines.find((l) => l.member === 'cal@example.com')).toMatchObject({ action: 'created', recordId: records.find((r) => r.values.Custom_Field_001__c === 'C-3')?.id });
  });

  it('Salesforce: collections applied then answered 503 — found by email, reported created once, no duplicates', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', MEMBERS);
    // Two members exist already: updated by the same lost call.
    const org = await createOrg({ records: { Contact: [{ LastName: 'Lee', Email: 'ann@example.com' }, { LastName: 'Ray', Email: 'ben@example.com' }] } });
    const connectionId = await connect(org);
    await saveExportSettings(connectionId, {
      people: {
        target: 'contact',
        // Email is an identifier, not a mapped field: a created record carries it all the same, so it can be found again.
        identifiers: [{ platformField: 'email', crmProperty: 'Email' }],
        fields: [
          { platformField: 'first_name', crmProperty: 'FirstName' },
          { platformField: 'last_name', crmProperty: 'LastName' },
        ],
      },
    });
    // The creates' call is applied and its answer lost: not sent again. The push looks the members up, finds the three
    // records it created, and sends the two updates — whose call is lost too, and sent again by the writer (an update
    // does the same thing twice).
    await salesforceWrites(org, { loseCollectionAnswers: 2 });
    const { push, report } = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} });
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: 3, updated: 2, skipped: 0, conflicts: 0, failed: 0 } });
    const records = await found(connectionId, 'Contact', 'Email', ['Email', 'FirstName']);
    expect(records).toHaveLength(5);
    expect(new Set(records.map((r) => r.values.Email?.toLowerCase()))).toEqual(new Set(EMAILS));
    expect(records.find((r) => r.values.Email === 'cal@example.com')?.values.FirstName).toBe('Cal');
    const byMember = new Map(report.lines.map((l) => [l.member, l]));
    for (const r of records) expect(byMember.get(r.values.Email ?? '')?.recordId).toBe(r.id);
    expect(byMember.get('cal@example.com')).toMatchObject({ action: 'created', message: null });
    expect(byMember.get('ann@example.com')).toMatchObject({ action: 'updated' });
    // Creates sent once (3 records); updates twice (2 records, the lost answer and its resend).
    expect(await salesforceWrites(org)).toMatchObject({ collectionCalls: 3, collectionRecords: 7 });
    expect(await linksOf(audienceId)).toHaveLength(5);

    const again = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} });
    expect(again.push.counts).toMatchObject({ created: 0, updated: 0, skipped: 5, failed: 0 });
    expect(await found(connectionId, 'Contact', 'Email', ['Email'])).toHaveLength(5);
  });

  it('Dynamics 365: a $batch applied then answered 503 is not sent again; records found by email, counted once', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', MEMBERS);
    const tenant = crypto.randomUUID();
    await fakeDataverse(dynamicsUrl, tenant).control({ seedContacts: [{ lastname: 'Lee', emailaddress1: 'ann@example.com' }] });
    const res = await requestAsAdmin(
      '/api/connections/dynamics/app',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ environmentUrl: dynamicsUrl, tenant }) },
      testEnv,
    );
    expect(res.status).toBe(201);
    const connectionId = ((await res.json()) as { id: string }).id;
    await saveExportSettings(connectionId, {
      people: {
        target: 'contact',
        identifiers: [{ platformField: 'email', crmProperty: 'emailaddress1' }],
        fields: [
          { platformField: 'first_name', crmProperty: 'firstname' },
          { platformField: 'last_name', crmProperty: 'lastname' },
        ],
      },
    });
    const writes = fakeDataverseWrites(dynamicsUrl, tenant);
    await writes.control({ loseBatchAnswers: 1 });
    const { push, report } = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} });
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: 4, updated: 1, skipped: 0, conflicts: 0, failed: 0 } });
    const records = await found(connectionId, 'contact', 'emailaddress1', ['emailaddress1', 'firstname']);
    expect(records).toHaveLength(5);
    expect(new Set(records.map((r) => r.values.emailaddress1))).toEqual(new Set(EMAILS));
    const byMember = new Map(report.lines.map((l) => [l.member, l]));
    for (const r of records) expect(byMember.get(r.values.emailaddress1 ?? '')?.recordId).toBe(r.id);
    // One $batch of five operations: the one whose answer was lost; the retry found nothing left to write.
    expect(await writes.stats()).toMatchObject({ batches: 1, batchOperations: 5 });
    expect(await linksOf(audienceId)).toHaveLength(5);
  });
});
