import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { CrmWriteOp, CrmWriteResult } from '../../worker/connectors/connector.ts';
import { salesforceSettings, salesforceWriterFor } from '../../worker/connectors/salesforce/index.ts';
import { BULK_THRESHOLD } from '../../worker/connectors/salesforce/writer.ts';
import { openDynamicsWriter } from '../../worker/connectors/dynamics/index.ts';
import { fakeDataverse } from '../servers/dynamics/fakeControls.ts';
import { SYSTEM_USERS } from '../servers/dynamics/writes.ts';
import { fakeDataverseWrites } from '../servers/dynamics/writeTypes.ts';
import type { WriteControl, WriteStats } from '../servers/salesforce/writeTypes.ts';
import { requestAsAdmin } from './support/api.ts';
import { crmFailure } from './connectors/connectorContract.ts';
import { FAST_RETRY, connect, connectionStore, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';

// The CRM write side (issue 11) against the fake Salesforce and the fake Dataverse: what each CRM accepts, refuses
// record by record in its own words, and how the writer's requests survive expired sessions, limits and outages.

const noWait = async () => {};

async function salesforceWriter(org: FakeOrgHandle) {
  const connectionId = await connect(org);
  const connection = await connectionStore().get(connectionId);
  const settings = salesforceSettings(org.env);
  if (!connection || !settings) throw new Error('the connection was not stored');
  return salesforceWriterFor(settings, connection, connectionStore(), { retry: FAST_RETRY, sleep: noWait });
}

/** The fake's write counters and settings of one org. */
async function writes(org: FakeOrgHandle, control?: WriteControl): Promise<WriteStats> {
  const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
  const res = await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/writes`, control ? { method: 'POST', body: JSON.stringify(control) } : {});
  return (await res.json()) as WriteStats;
}

const failureOf = (r: CrmWriteResult | undefined) => (r && !r.ok ? r : null);
const idOf = (r: CrmWriteResult | undefined): string => {
  if (!r?.ok) throw new Error(`expected a success, got ${JSON.stringify(r)}`);
  return r.id;
};

describe('Salesforce: sObject Collections for small batches', () => {
  it('upserts by an external id field: created or updated as the CRM finds it, twins and other fields refused', async () => {
    const org = await createOrg({
      records: {
        Contact: [
          { LastName: 'Known', Custom_Field_001__c: 'K-1' },
          { LastName: 'Twin A', Custom_Field_001__c: 'T-1' },
          { LastName: 'Twin B', Custom_Field_001__c: 't-1' },
        ],
      },
    });
    const writer = await salesforceWriter(org);
    const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
    expect(await writer.upsertKeys('Contact')).toEqual([]);
    await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/fields`, { method: 'POST', body: JSON.stringify({ object: 'Contact', field: 'Custom_Field_001__c', externalId: true }) });
    // A fresh writer reads the describe again (each writer describes an object once).
    const fresh = await salesforceWriter(org);
    expect(await fresh.upsertKeys('Contact')).toEqual(['Custom_Field_001__c']);
    const ops: CrmWriteOp[] = [
      { kind: 'upsert', by: 'Custom_Field_001__c', values: { LastName: 'Newcomer', Custom_Field_001__c: 'N-1' } },
      { kind: 'upsert', by: 'Custom_Field_001__c', values: { LastName: 'Known again', Custom_Field_001__c: 'k-1' } },
      { kind: 'upsert', by: 'Custom_Field_001__c', values: { LastName: 'Which twin?', Custom_Field_001__c: 'T-1' } },
      { kind: 'upsert', by: 'Email', values: { LastName: 'By email', Email: 'e@example.com' } },
    ];
    const results = await fresh.write('Contact', ops);
    expect(results[0]).toEqual({ ok: true, id: expect.stringMatching(/^003/), created: true });
    expect(results[1]).toEqual({ ok: true, id: expect.stringMatching(/^003/), created: false });
    expect(failureOf(results[2])).toMatchObject({ vendorCode: 'DUPLICATE_EXTERNAL_ID', fields: ['Custom_Field_001__c'] });
    expect(failureOf(results[3])).toMatchObject({ vendorCode: 'invalid_field', fields: ['Email'] });
    // The same upsert again changes the record it made, never a second one.
    const again = await fresh.write('Contact', [ops[0] as CrmWriteOp]);
    expect(again[0]).toEqual({ ok: true, id: idOf(results[0]), created: false });
    const found = await fresh.findBy('Contact', 'Custom_Field_001__c', ['N-1', 'K-1'], ['LastName']);
    expect(found.map((r) => r.values.LastName).sort()).toEqual(['Known again', 'Newcomer']);
  });

  it('creates and updates record by record, converting text by the describe, and pulls see the change', async () => {
    const org = await createOrg();
    const writer = await salesforceWriter(org);
    const before = Date.now() - 1000;
    const created = await writer.write('Contact', [
      { kind: 'create', values: { LastName: 'Lovelace', FirstName: 'Ada', Email: 'ada@example.com', LeadSource: 'partner referral', HasOptedOutOfEmail: 'Yes', Birthdate: '1815-12-10' } },
      { kind: 'create', values: { LastName: 'Hopper', Email: 'grace@example.com', HasOptedOutOfEmail: 'maybe' } },
      { kind: 'create', values: { FirstName: 'Nameless', Email: 'nobody@example.com' } },
    ]);
    expect(created[0]).toEqual({ ok: true, id: expect.stringMatching(/^003/), created: true });
    expect(failureOf(created[1])).toEqual({ ok: false, vendorCode: 'invalid_value', message: 'Email Opt Out: "maybe" is not true or false.', fields: ['HasOptedOutOfEmail'] });
    expect(failureOf(created[2])).toEqual({ ok: false, vendorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] });

    const id = idOf(created[0]);
    const [found] = await writer.getByIds('Contact', [id], ['LastName', 'LeadSource', 'HasOptedOutOfEmail', 'Birthdate']);
    expect(found?.values).toEqual({ LastName: 'Lovelace', LeadSource: 'Partner Referral', HasOptedOutOfEmail: 'true', Birthdate: '1815-12-10' });
    expect(Date.parse(found?.modifiedAt ?? '')).toBeGreaterThan(before);

    const updated = await writer.write('Contact', [
      { kind: 'update', id, values: { Title: 'Countess', FirstName: null } },
      { kind: 'update', id: '003000000000000AAA', values: { Title: 'Nobody' } },
    ]);
    expect(updated[0]).toEqual({ ok: true, id, created: false });
    expect(failureOf(updated[1])?.vendorCode).toBe('INVALID_CROSS_REFERENCE_KEY');
    const [after] = await writer.findBy('Contact', 'Email', ['ADA@example.com'], ['Title', 'FirstName']);
    expect(after).toMatchObject({ id, values: { Title: 'Countess', FirstName: null } });
    // The org counted two create/update calls of collections and no bulk job.
    expect(await writes(org)).toMatchObject({ collectionCalls: 2, collectionRecords: 4, bulkJobs: [] });
  });

  it('keeps the org’s own code and message for what it refuses: restricted picklist, read-only field, duplicate rule, bad email', async () => {
    const org = await createOrg({ records: { Contact: [{ LastName: 'Existing', Email: 'taken@example.com' }] } });
    const writer = await salesforceWriter(org);
    await writes(org, { duplicateRule: { object: 'Contact', field: 'Email' } });
    const results = await writer.write('Contact', [
      { kind: 'create', values: { LastName: 'A', LeadSource: 'Trade Show (retired)' } },
      { kind: 'create', values: { LastName: 'B', LeadSource: 'Seminar' } },
      { kind: 'create', values: { LastName: 'C', CreatedDate: '2024-01-01T00:00:00Z' } },
      { kind: 'create', values: { LastName: 'D', Email: 'TAKEN@example.com' } },
      { kind: 'create', values: { LastName: 'E', Email: 'not-an-address' } },
      { kind: 'create', values: { LastName: 'F', Shoe_Size__c: '42' } },
      { kind: 'create', values: { LastName: 'G', Email: 'fine@example.com' } },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.vendorCode))).toEqual([
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'DUPLICATES_DETECTED',
      'INVALID_EMAIL_ADDRESS',
      'unknown_field',
      'ok',
    ]);
    expect(failureOf(results[0])).toMatchObject({ message: 'Lead Source: bad value for restricted picklist field: Trade Show', fields: ['LeadSource'] });
    expect(failureOf(results[2])?.message).toContain('Unable to create/update fields: CreatedDate.');
    expect(failureOf(results[3])?.message).toBe('Use one of these records?');
  });

  it('finds records by a value with quotes and backslashes, and lists the org’s users', async () => {
    const org = await createOrg({ records: { Contact: [{ LastName: "O'Brien" }, { LastName: 'back\\slash' }, { LastName: 'OBrien' }, { LastName: 'say "hi"' }] } });
    const writer = await salesforceWriter(org);
    const found = await writer.findBy('Contact', 'LastName', ["O'Brien", 'back\\slash', 'say "hi"', "x') OR LastName != ('"], ['LastName']);
    expect(found.map((r) => r.values.LastName).sort()).toEqual(["O'Brien", 'back\\slash', 'say "hi"']);
    // IN lists are sized by the URL they travel in (at most 12,000 encoded bytes): 451 values of ~75 bytes make 3 queries.
    const many = Array.from({ length: 450 }, (_, i) => `nobody${i}-${'x'.repeat(60)}`);
    expect(await writer.findBy('Contact', 'LastName', [...many, 'OBrien'], ['LastName'])).toHaveLength(1);
    expect((await org.stats()).queries.filter((q) => q.includes('nobody')).length).toBe(3);

    const users = await writer.listUsers();
    expect(users).toContainEqual({ id: org.userId, name: 'Ada Admin', email: org.userName, active: true });
    expect(users.map((u) => u.name)).not.toContain('Automated Process');
    // Active people first, then those who left (kept, so a mapping to them shows as inactive).
    const firstInactive = users.findIndex((u) => !u.active);
    expect(firstInactive).toBeGreaterThan(0);
    expect(users.slice(firstInactive).every((u) => !u.active)).toBe(true);
  });
});

describe('Salesforce: Bulk API 2.0 for large batches', () => {
  it(`sends more than ${BULK_THRESHOLD} records as one ingest job and matches its results back record by record`, async () => {
    const org = await createOrg();
    const writer = await salesforceWriter(org);
    const ops: CrmWriteOp[] = Array.from({ length: BULK_THRESHOLD + 50 }, (_, i) => ({
      kind: 'create',
      values: { LastName: `Bulk, "${i}"`, Email: `bulk${i}@example.com`, Description: i === 7 ? 'two\nlines' : null, LeadSource: 'Web' },
    }));
    ops[10] = { kind: 'create', values: { FirstName: 'No last name', Email: 'nolast@example.com' } };
    ops[11] = { kind: 'create', values: { LastName: 'Bad source', LeadSource: 'Seminar' } };
    const results = await writer.write('Contact', ops);
    expect(results.filter((r) => r.ok)).toHaveLength(ops.length - 2);
    expect(failureOf(results[10])).toEqual({ ok: false, vendorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] });
    expect(failureOf(results[11])).toMatchObject({ vendorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['LeadSource'] });
    const stats = await writes(org);
    expect(stats.collectionCalls).toBe(0);
    expect(stats.bulkJobs).toEqual([expect.objectContaining({ object: 'Contact', operation: 'insert', records: ops.length, failed: 2 })]);

    // Every success carries the id of the record made from that very row.
    const sample = [0, 7, 1234, ops.length - 1];
    const byId = await writer.getByIds('Contact', sample.map((i) => idOf(results[i])), ['LastName', 'Description']);
    expect(byId.map((r) => r.values)).toEqual([
      { LastName: 'Bulk, "0"', Description: null },
      { LastName: 'Bulk, "7"', Description: 'two\nlines' },
      { LastName: 'Bulk, "1234"', Description: null },
      { LastName: `Bulk, "${ops.length - 1}"`, Description: null },
    ]);

    const updates: CrmWriteOp[] = results.flatMap((r, i) => (r.ok ? [{ kind: 'update' as const, id: r.id, values: { Title: `T${i}`, Description: null } }] : []));
    const updated = await writer.write('Contact', updates);
    expect(updated.every((r) => r.ok && !r.created)).toBe(true);
    expect((await writes(org)).bulkJobs.map((j) => j.operation)).toEqual(['insert', 'update']);
    const [seven] = await writer.getByIds('Contact', [idOf(results[7])], ['Title', 'Description']);
    expect(seven?.values).toEqual({ Title: 'T7', Description: null });
  });
});

describe('Salesforce: Bulk API 2.0 upserts by an external id', () => {
  it(`upserts more than ${BULK_THRESHOLD} records in one ingest job: created, then the same records updated, refusals in Salesforce’s words`, async () => {
    const org = await createOrg({ records: { Contact: [{ LastName: 'Known', Custom_Field_001__c: 'K-0' }, { LastName: 'Twin A', Custom_Field_001__c: 'T-1' }, { LastName: 'Twin B', Custom_Field_001__c: 't-1' }] } });
    const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
    await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/fields`, { method: 'POST', body: JSON.stringify({ object: 'Contact', field: 'Custom_Field_001__c', externalId: true }) });
    const writer = await salesforceWriter(org);
    const size = BULK_THRESHOLD + 20;
    const ops: CrmWriteOp[] = Array.from({ length: size }, (_, i) => ({ kind: 'upsert', by: 'Custom_Field_001__c', values: { LastName: `Upsert ${i}`, Custom_Field_001__c: `K-${i}` } }));
    // Two rows of the job share a value (case aside): Salesforce cannot tell which wins and refuses both.
    ops[5] = { kind: 'upsert', by: 'Custom_Field_001__c', values: { LastName: 'Dup A', Custom_Field_001__c: 'D-1' } };
    ops[6] = { kind: 'upsert', by: 'Custom_Field_001__c', values: { LastName: 'Dup B', Custom_Field_001__c: 'd-1' } };
    ops[7] = { kind: 'upsert', by: 'Custom_Field_001__c', values: { LastName: 'No key', Custom_Field_001__c: null } };
    ops[8] = { kind: 'upsert', by: 'Custom_Field_001__c', values: { LastName: 'Which twin?', Custom_Field_001__c: 'T-1' } };
    const results = await writer.write('Contact', ops);
    expect((await writes(org)).bulkJobs).toEqual([expect.objectContaining({ object: 'Contact', operation: 'upsert', records: size, failed: 4 })]);
    expect((await writes(org)).collectionCalls).toBe(0);
    expect(failureOf(results[5])).toEqual({ ok: false, vendorCode: 'DUPLICATE_VALUE', message: 'Duplicate external id specified: D-1', fields: ['Custom_Field_001__c'] });
    expect(failureOf(results[6])).toMatchObject({ vendorCode: 'DUPLICATE_VALUE', fields: ['Custom_Field_001__c'] });
    expect(failureOf(results[7])).toEqual({ ok: false, vendorCode: 'MISSING_ARGUMENT', message: 'Custom_Field_001__c not specified', fields: ['Custom_Field_001__c'] });
    expect(failureOf(results[8])).toMatchObject({ vendorCode: 'DUPLICATE_EXTERNAL_ID', fields: ['Custom_Field_001__c'] });
    // K-0 was in the org: updated (sf__Created false); every other row made its record.
    expect(results[0]).toEqual({ ok: true, id: expect.stringMatching(/^003/), created: false });
    expect(results.filter((r) => r.ok && r.created)).toHaveLength(size - 5);

    // The same upserts again (a re-push): every record updated in place, the same ids, no second record.
    const again = await writer.write(
      'Contact',
      ops.map((op) => (op.kind === 'upsert' ? { ...op, values: { ...op.values, LastName: `${op.values.LastName} again` } } : op)),
    );
    expect((await writes(org)).bulkJobs.map((j) => [j.operation, j.records, j.failed])).toEqual([
      ['upsert', size, 4],
      ['upsert', size, 4],
    ]);
    results.forEach((r, i) => {
      if (r.ok) expect(again[i]).toEqual({ ok: true, id: r.id, created: false });
    });
    const keys = Array.from({ length: size }, (_, i) => `K-${i}`);
    const found = await writer.findBy('Contact', 'Custom_Field_001__c', keys, ['LastName', 'Custom_Field_001__c']);
    expect(found).toHaveLength(size - 4);
    expect(new Set(found.map((r) => r.values.Custom_Field_001__c)).size).toBe(size - 4);
    expect(found.find((r) => r.values.Custom_Field_001__c === 'K-1234')).toMatchObject({ id: idOf(results[1234]), values: { LastName: 'Upsert 1234 again' } });
  });
});

describe('Salesforce: requests that fail on the way', () => {
  it('renews an expired session once, retries 503 and REQUEST_LIMIT_EXCEEDED, and gives up with a CrmError', async () => {
    const org = await createOrg();
    const writer = await salesforceWriter(org);
    await org.faults({ expireSessions: true });
    expect((await writer.write('Contact', [{ kind: 'create', values: { LastName: 'After expiry' } }]))[0]?.ok).toBe(true);
    expect((await org.stats()).tokenGrants.refresh_token).toBe(1);

    await org.faults({ fail: { status: 503, count: 2 } });
    expect((await writer.write('Contact', [{ kind: 'create', values: { LastName: 'After outage' } }]))[0]?.ok).toBe(true);
    await org.faults({ fail: { status: 403, count: 1 } });
    expect((await writer.write('Contact', [{ kind: 'create', values: { LastName: 'After limit' } }]))[0]?.ok).toBe(true);
    // Failed attempts never reached the org: three records, three collection calls.
    expect(await writes(org)).toMatchObject({ collectionCalls: 3, collectionRecords: 3 });

    await org.faults({ fail: { status: 503, count: 10 } });
    const e = await crmFailure(writer.write('Contact', [{ kind: 'create', values: { LastName: 'Never' } }]));
    expect(e).toMatchObject({ code: 'crm_unavailable', vendorCode: 'SERVER_UNAVAILABLE' });
    await org.faults({ fail: { status: 401, count: 5 } });
    expect(await crmFailure(writer.listUsers())).toMatchObject({ code: 'crm_auth_failed' });
  });
});

// --- Dynamics 365 (Dataverse) ---

const dataverseUrl = inject('dynamicsUrl');
const dataverseEnv = () => ({ ...env, DYNAMICS_AUTHORITY_URL: dataverseUrl, DYNAMICS_ALLOWED_ORIGINS: dataverseUrl }) as Env;

/** A Dataverse tenant of its own (seeded contacts), connected as the app registration, and its writer with recorded waits. */
async function dataverseTenant(contacts: Record<string, unknown>[] = []) {
  const tenant = crypto.randomUUID();
  const fake = fakeDataverse(dataverseUrl, tenant);
  await fake.control({ seedContacts: contacts });
  const res = await requestAsAdmin(
    '/api/connections/dynamics/app',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ environmentUrl: dataverseUrl, tenant }) },
    dataverseEnv(),
  );
  expect(res.status).toBe(201);
  const connectionId = ((await res.json()) as { id: string }).id;
  const sleeps: number[] = [];
  const writer = await openDynamicsWriter(dataverseEnv(), 'default', connectionId, {
    retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 30_000 },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    random: () => 1,
  });
  if (!writer) throw new Error('no writer');
  return { writer, fake, writes: fakeDataverseWrites(dataverseUrl, tenant), sleeps };
}

const batchRequests = async (fake: ReturnType<typeof fakeDataverse>) => (await fake.log()).requests.filter((r) => r.method === 'POST' && r.url.endsWith('/$batch'));

describe('Dynamics 365: $batch writes', () => {
  it('creates and updates record by record, choices by label, and keeps Dataverse’s own refusals', async () => {
    const { writer, fake, writes } = await dataverseTenant([{ lastname: 'Existing', emailaddress1: 'taken@example.com' }]);
    await writes.control({ duplicateRule: { table: 'contact', column: 'emailaddress1' } });
    const before = Date.now() - 1000;
    const marketer = SYSTEM_USERS[1]?.systemuserid ?? '';
    const results = await writer.write('contact', [
      { kind: 'create', values: { lastname: 'Lovelace', firstname: 'Ada', emailaddress1: 'ada@example.com', gendercode: 'female', preferredcontactmethodcode: 'Email', donotemail: 'Yes', numberofchildren: '3', birthdate: '1815-12-10', ownerid: marketer } },
      { kind: 'create', values: { lastname: 'A', gendercode: 'Other' } },
      { kind: 'create', values: { lastname: 'B', gendercode: '7' } },
      { kind: 'create', values: { firstname: 'No last name' } },
      { kind: 'create', values: { lastname: 'C', fullname: 'Not writable' } },
      { kind: 'create', values: { lastname: 'D', emailaddress1: 'TAKEN@example.com' } },
      { kind: 'create', values: { lastname: 'E', new_shoesize: '42' } },
      { kind: 'update', id: '00000000-0000-4000-8000-000000000000', values: { jobtitle: 'Ghost' } },
    ]);
    expect(results[0]).toEqual({ ok: true, id: expect.stringMatching(/^[0-9a-f-]{36}$/), created: true });
    expect(results.slice(1).map((r) => (r.ok ? 'ok' : r.vendorCode))).toEqual(['invalid_value', '0x8004431a', '0x80040200', '0x80048d19', '0x80040333', 'unknown_field', '0x80040217']);
    expect(failureOf(results[1])).toEqual({ ok: false, vendorCode: 'invalid_value', message: 'Gender: "Other" is not one of its choices (Male, Female).', fields: ['gendercode'] });
    expect(failureOf(results[2])?.message).toContain("The value 7 of 'gendercode' on record of type 'contact' is outside the valid range");
    expect(failureOf(results[5])?.message).toBe('A record was not created or updated because a duplicate of the current record already exists.');
    // One $batch for all seven operations Dataverse was asked about.
    expect(await batchRequests(fake)).toHaveLength(1);
    expect(await writes.stats()).toMatchObject({ batches: 1, batchOperations: 6 });

    const id = idOf(results[0]);
    const [ada] = await writer.getByIds('contact', [id], ['gendercode', 'preferredcontactmethodcode', 'donotemail', 'numberofchildren', 'ownerid', 'fullname']);
    // Choices read back by label; a lookup by the id of the record it points to (what a push writes and compares).
    expect(ada?.values).toEqual({ gendercode: 'Female', preferredcontactmethodcode: 'Email', donotemail: 'Yes', numberofchildren: '3', ownerid: marketer, fullname: 'Ada Lovelace' });
    expect(Date.parse(ada?.modifiedAt ?? '')).toBeGreaterThan(before);

    expect(await writer.write('contact', [{ kind: 'update', id, values: { jobtitle: 'Countess', firstname: null } }])).toEqual([{ ok: true, id, created: false }]);
    const [updated] = await writer.findBy('contact', 'emailaddress1', ['ADA@example.com'], ['jobtitle', 'firstname']);
    expect(updated).toMatchObject({ id, values: { jobtitle: 'Countess', firstname: null } });
  });

  it('sends more than 1,000 operations as several $batch requests of at most 1,000', async () => {
    const { writer, writes } = await dataverseTenant();
    const ops: CrmWriteOp[] = Array.from({ length: 2_345 }, (_, i) => ({ kind: 'create', values: { lastname: `Bulk ${i}`, emailaddress1: `bulk${i}@example.com` } }));
    const results = await writer.write('contact', ops);
    expect(results.every((r) => r.ok && r.created)).toBe(true);
    expect(new Set(results.map(idOf)).size).toBe(ops.length);
    expect(await writes.stats()).toMatchObject({ batches: 3, batchOperations: 2_345 });
    const [last] = await writer.getByIds('contact', [idOf(results[2_344])], ['lastname']);
    expect(last?.values.lastname).toBe('Bulk 2344');
  });

  it('finds rows by values with quotes and backslashes, in filters sized by their URL, and lists the users', async () => {
    const { writer, fake } = await dataverseTenant([{ lastname: "O'Brien" }, { lastname: 'back\\slash' }, { lastname: '50%_off' }, { lastname: 'OBrien' }]);
    await fake.control({ clearLog: true });
    const found = await writer.findBy('contact', 'lastname', ["O'Brien", 'back\\slash', '50%_off', "x' or lastname ne 'y"], ['lastname']);
    expect(found.map((r) => r.values.lastname).sort()).toEqual(['50%_off', "O'Brien", 'back\\slash']);
    await fake.control({ clearLog: true });
    // Filters of at most 12,000 URL-encoded characters: 451 conditions of ~100 make 4 queries.
    const many = Array.from({ length: 450 }, (_, i) => `nobody${i}-${'x'.repeat(60)}`);
    expect(await writer.findBy('contact', 'lastname', [...many, 'OBrien'], ['lastname'])).toHaveLength(1);
    expect((await fake.log()).requests.filter((r) => r.url.includes('/contacts?'))).toHaveLength(4);

    const users = await writer.listUsers();
    expect(users).toContainEqual({ id: SYSTEM_USERS[0]?.systemuserid, name: 'Nancy Admin', email: 'nancy@contoso.onmicrosoft.com', active: true });
    const firstInactive = users.findIndex((u) => !u.active);
    expect(firstInactive).toBeGreaterThan(0);
    expect(users.slice(firstInactive).every((u) => !u.active)).toBe(true);
  });

  it('renews an expired token once, waits the Retry-After of a 429, retries a 503, and gives up with a CrmError', async () => {
    const { writer, fake, writes, sleeps } = await dataverseTenant();
    await writer.write('contact', [{ kind: 'create', values: { lastname: 'Warm-up' } }]);
    const grants = async () => (await fake.log()).tokenRequests.length;
    const before = await grants();
    await fake.control({ expireAccessTokens: true });
    expect((await writer.write('contact', [{ kind: 'create', values: { lastname: 'After expiry' } }]))[0]?.ok).toBe(true);
    expect((await grants()) - before).toBe(1);

    await fake.control({ fail: { status: 429, count: 1, retryAfter: 3, match: '$batch' } });
    expect((await writer.write('contact', [{ kind: 'create', values: { lastname: 'After limit' } }]))[0]?.ok).toBe(true);
    expect(sleeps).toContain(3000);
    await fake.control({ fail: { status: 503, count: 2, match: '$batch' } });
    expect((await writer.write('contact', [{ kind: 'create', values: { lastname: 'After outage' } }]))[0]?.ok).toBe(true);
    // Refused attempts never reached the environment: one $batch per write.
    expect((await writes.stats()).batches).toBe(4);

    await fake.control({ fail: { status: 503, count: 10, match: '$batch' } });
    expect(await crmFailure(writer.write('contact', [{ kind: 'create', values: { lastname: 'Never' } }]))).toMatchObject({ code: 'crm_unavailable', status: 503 });
  });
});

describe('the fake Dataverse’s other write endpoints, as a client would call them', () => {
  it('upserts by the contact alternate key and runs CreateMultiple as one transaction', async () => {
    const tenant = crypto.randomUUID();
    await fakeDataverse(dataverseUrl, tenant).control({ seedContacts: [] });
    const token = (await (
      await fetch(`${dataverseUrl}/${tenant}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: env.DYNAMICS_CLIENT_ID, client_secret: env.DYNAMICS_CLIENT_SECRET, scope: `${dataverseUrl}/.default` }),
      })
    ).json()) as { access_token: string };
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${dataverseUrl}/api/data/v9.2/${path}`, { ...init, headers: { Authorization: `Bearer ${token.access_token}`, 'Content-Type': 'application/json', ...init.headers } });
    const rows = async (filter: string) => ((await (await api(`contacts?$select=lastname,jobtitle&$filter=${encodeURIComponent(filter)}`)).json()) as { value: Record<string, unknown>[] }).value;

    // Change tracking as a sync reads it: the delta link taken now must bring back every row written below.
    const tracked = (await (await api('contacts?$select=lastname', { headers: { Prefer: 'odata.track-changes' } })).json()) as { '@odata.deltaLink'?: string };
    const deltaLink = tracked['@odata.deltaLink'] ?? '';
    expect(new URL(deltaLink).searchParams.get('$deltatoken')).toBeTruthy();

    const key = `contacts(emailaddress1='${encodeURIComponent("o''brien@example.com")}')`;
    expect((await api(key, { method: 'PATCH', body: JSON.stringify({ lastname: "O'Brien" }) })).status).toBe(204);
    expect((await api(key, { method: 'PATCH', body: JSON.stringify({ jobtitle: 'CEO' }) })).status).toBe(204);
    expect(await rows("emailaddress1 eq 'o''brien@example.com'")).toEqual([expect.objectContaining({ lastname: "O'Brien", jobtitle: 'CEO' })]);
    expect((await api("accounts(name='Contoso')", { method: 'PATCH', body: '{}' })).status).toBe(400);

    const type = 'Microsoft.Dynamics.CRM.contact';
    const refused = await api('contacts/Microsoft.Dynamics.CRM.CreateMultiple', {
      method: 'POST',
      body: JSON.stringify({ Targets: [{ '@odata.type': type, lastname: 'Multi 1' }, { '@odata.type': type, lastname: 'Multi 2', gendercode: 9 }] }),
    });
    expect(refused.status).toBe(400);
    expect(await rows("startswith(lastname,'Multi')")).toEqual([]);
    const created = await api('contacts/Microsoft.Dynamics.CRM.CreateMultiple', {
      method: 'POST',
      body: JSON.stringify({ Targets: [{ '@odata.type': type, lastname: 'Multi 1' }, { '@odata.type': type, lastname: 'Multi 2' }] }),
    });
    expect(((await created.json()) as { Ids: string[] }).Ids).toHaveLength(2);
    expect(await fakeDataverseWrites(dataverseUrl, tenant).stats()).toMatchObject({ createMultiple: 2, singleWrites: 3 });
    const delta = (await (await fetch(deltaLink, { headers: { Authorization: `Bearer ${token.access_token}` } })).json()) as { value: { lastname?: string }[] };
    expect(delta.value.map((r) => r.lastname).sort()).toEqual(['Multi 1', 'Multi 2', "O'Brien"]);
  });
});
