import { describe, expect, inject, it } from 'vitest';
import type { CrmWriteOp, CrmWriteResult } from '../../worker/connectors/connector.ts';
import { salesforceSettings, salesforceWriterFor } from '../../worker/connectors/salesforce/index.ts';
import { BULK_THRESHOLD } from '../../worker/connectors/salesforce/writer.ts';
import type { WriteControl, WriteStats } from '../servers/salesforce/writeTypes.ts';
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
    const many = Array.from({ length: 450 }, (_, i) => `nobody${i}`);
    expect(await writer.findBy('Contact', 'LastName', [...many, 'OBrien'], ['LastName'])).toHaveLength(1);
    expect((await org.stats()).queries.filter((q) => q.includes('nobody')).length).toBe(3);

    const users = await writer.listUsers();
    expect(users).toEqual([
      { id: org.userId, name: 'Ada Admin', email: org.userName, active: true },
      { id: expect.stringMatching(/^005/), name: "Seán O'Brien", email: expect.stringContaining('sean@'), active: true },
      { id: expect.stringMatching(/^005/), name: 'Former Employee', email: null, active: false },
    ]);
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
