import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { CrmRecordRef } from '../../worker/connectors/connector.ts';
import { openWriter } from '../../worker/connectors/openConnector.ts';
import { BULK_THRESHOLD } from '../../worker/connectors/salesforce/writer.ts';
import { pushNextBatch } from '../../worker/push/pushBatch.ts';
import { insertPushStatement } from '../../worker/push/pushStore.ts';
import type { WriteControl, WriteStats } from '../servers/salesforce/writeTypes.ts';
import { connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { importAudience, linksOf, pushAndWait, saveExportSettings } from './push/pushHelpers.ts';

// A large push to Salesforce goes through Bulk API 2.0 (more than BULK_THRESHOLD writes in a step): the job's results
// must land on the right members, refusals must reach the report in Salesforce's words, and a job Salesforce stops
// part-way must leave every member written exactly once.

const COLUMNS = [
  { column: 'Email', target: 'email' },
  { column: 'First name', target: 'first_name' },
  { column: 'Last name', target: 'last_name' },
];

const SETTINGS = {
  people: {
    target: 'contact',
    identifiers: [{ platformField: 'email', crmProperty: 'Email' }],
    fields: [
      { platformField: 'email', crmProperty: 'Email' },
      { platformField: 'first_name', crmProperty: 'FirstName' },
      { platformField: 'last_name', crmProperty: 'LastName' },
    ],
    fixed: [],
    exportTime: [],
    engagement: [],
    campaign: {},
  },
  owners: { ownerField: null, users: [], defaultOwnerId: null },
};

const emailOf = (i: number) => `bulk.member${i}@example.com`;

/** An audience of these emails (first and last names made up), a fake org connected, SETTINGS saved for it. */
async function audienceToPush(emails: string[]): Promise<{ audienceId: string; org: FakeOrgHandle; connectionId: string }> {
  const { audienceId } = await importAudience(
    COLUMNS,
    'Email',
    emails.map((e, i) => [e, `First${i}`, `Last${i}`]),
  );
  const org = await createOrg();
  const connectionId = await connect(org);
  await saveExportSettings(connectionId, SETTINGS);
  return { audienceId, org, connectionId };
}

async function salesforceWrites(org: FakeOrgHandle, control?: WriteControl): Promise<WriteStats> {
  const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
  const res = await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/writes`, control ? { method: 'POST', body: JSON.stringify(control) } : {});
  return (await res.json()) as WriteStats;
}

/** Every Contact of the fake with one of these emails, as the writer reads them (200 a query). */
async function contactsByEmail(connectionId: string, emails: string[]): Promise<Map<string, CrmRecordRef[]>> {
  const opened = await openWriter(env, 'default', connectionId);
  if (!opened) throw new Error('no writer');
  const byEmail = new Map<string, CrmRecordRef[]>();
  for (let i = 0; i < emails.length; i += 200) {
    for (const r of await opened.writer.findBy('Contact', 'Email', emails.slice(i, i + 200), ['Email', 'FirstName', 'LastName'])) {
      const email = (r.values.Email ?? '').toLowerCase();
      byEmail.set(email, [...(byEmail.get(email) ?? []), r]);
    }
  }
  return byEmail;
}

describe('Sync to CRM, Salesforce Bulk API 2.0', () => {
  it('maps each created id back to its member, updates by id, and reports refused rows in Salesforce’s words', async () => {
    const size = BULK_THRESHOLD + 50;
    const emails = Array.from({ length: size }, (_, i) => emailOf(i));
    // Two members without a last name: Salesforce refuses them (LastName is required on a Contact).
    const refused = new Set([17, 1501]);
    const { audienceId } = await importAudience(
      COLUMNS,
      'Email',
      emails.map((e, i) => [e, `First${i}`, refused.has(i) ? '' : `Last${i}`]),
    );
    // Thirty members are in Salesforce already, under another first name: updated, by id, in a job of their own.
    const existing = Array.from({ length: 30 }, (_, i) => ({ LastName: `Last${i * 7}`, FirstName: 'Old', Email: emailOf(i * 7) }));
    const org = await createOrg({ records: { Contact: existing } });
    const connectionId = await connect(org);
    await saveExportSettings(connectionId, SETTINGS);

    const { push, report } = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} }, 120_000);
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: size - 30 - 2, updated: 30, skipped: 0, conflicts: 0, failed: 2 } });
    const stats = await salesforceWrites(org);
    expect(stats.collectionCalls).toBe(0);
    expect(stats.bulkJobs.map((j) => [j.operation, j.records, j.failed])).toEqual([
      ['insert', size - 30, 2],
      ['update', 30, 0],
    ]);

    const inCrm = await contactsByEmail(connectionId, emails);
    expect(inCrm.size).toBe(size - 2);
    expect([...inCrm.values()].every((records) => records.length === 1)).toBe(true);
    expect(report.lines).toHaveLength(size);
    for (const line of report.lines) {
      const i = emails.indexOf(line.member);
      if (refused.has(i)) {
        expect(line).toMatchObject({ action: 'failed', recordId: null, vendorCode: 'REQUIRED_FIELD_MISSING' });
        expect(line.message).toContain('Required fields are missing: [LastName]');
        continue;
      }
      // The record the report names is the one Salesforce holds for this very member, with its values.
      const [record] = inCrm.get(line.member) ?? [];
      expect(line.recordId).toBe(record?.id);
      expect(record?.values).toMatchObject({ FirstName: `First${i}`, LastName: `Last${i}` });
      expect(line.action).toBe(i % 7 === 0 && i / 7 < 30 ? 'updated' : 'created');
    }
    expect(await linksOf(audienceId)).toHaveLength(size - 2);

    // Run again: every written member is the remembered record, unchanged; the two refused are tried (and refused) again.
    const again = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} }, 120_000);
    expect(again.push.counts).toMatchObject({ created: 0, updated: 0, skipped: size - 2, failed: 2 });
    expect((await contactsByEmail(connectionId, emails)).size).toBe(size - 2);
  });

  it('creates by an external id identifier go as one Bulk API 2.0 upsert job; a re-push updates the same records, no duplicates', async () => {
    const size = BULK_THRESHOLD + 50;
    const emails = Array.from({ length: size }, (_, i) => emailOf(i));
    const customerIdOf = (i: number) => `CUST-${i}`;
    const columns = [...COLUMNS, { column: 'Customer ID', target: 'customer_id' }];
    const { audienceId } = await importAudience(
      columns,
      'Email',
      emails.map((e, i) => [e, `First${i}`, `Last${i}`, customerIdOf(i)]),
    );
    // Twenty members are in Salesforce already under their customer id (and no email): found, then updated by id.
    const existing = Array.from({ length: 20 }, (_, i) => ({ LastName: `Last${i * 9}`, FirstName: 'Old', Custom_Field_001__c: customerIdOf(i * 9) }));
    const org = await createOrg({ records: { Contact: existing } });
    const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
    expect((await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/fields`, { method: 'POST', body: JSON.stringify({ object: 'Contact', field: 'Custom_Field_001__c', externalId: true }) })).ok).toBe(true);
    const connectionId = await connect(org);
    const settings = { ...SETTINGS, people: { ...SETTINGS.people, identifiers: [{ platformField: 'customer_id', crmProperty: 'Custom_Field_001__c' }] } };
    await saveExportSettings(connectionId, settings);

    const { push, report } = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} }, 120_000);
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: size - 20, updated: 20, skipped: 0, conflicts: 0, failed: 0 } });
    const stats = await salesforceWrites(org);
    expect(stats.collectionCalls).toBe(0);
    expect(stats.bulkJobs.map((j) => [j.operation, j.records, j.failed])).toEqual([
      ['upsert', size - 20, 0],
      ['update', 20, 0],
    ]);
    const opened = await openWriter(env, 'default', connectionId);
    const byCustomerId = async () => {
      const found = (await opened?.writer.findBy('Contact', 'Custom_Field_001__c', emails.map((_, i) => customerIdOf(i)), ['Custom_Field_001__c', 'FirstName', 'Email'])) ?? [];
      return new Map(found.map((r) => [r.values.Custom_Field_001__c ?? '', r]));
    };
    const first = await byCustomerId();
    expect(first.size).toBe(size);
    for (const line of report.lines) {
      const i = emails.indexOf(line.member);
      expect(line.recordId).toBe(first.get(customerIdOf(i))?.id);
      expect(line.action).toBe(i % 9 === 0 && i / 9 < 20 ? 'updated' : 'created');
    }

    // The same people again with new first names (another list of them): matched by the external id, each record
    // updated in place, no second record for anyone.
    const renamed = await importAudience(
      columns,
      'Email',
      emails.map((e, i) => [e, `Renamed${i}`, `Last${i}`, customerIdOf(i)]),
    );
    const again = await pushAndWait({ connectionId, audienceId: renamed.audienceId, scope: { kind: 'audience' }, exportTimeValues: {} }, 120_000);
    expect(again.push).toMatchObject({ status: 'succeeded', counts: { created: 0, updated: size, failed: 0 } });
    const second = await byCustomerId();
    expect(second.size).toBe(size);
    const records = (await opened?.writer.findBy('Contact', 'Custom_Field_001__c', emails.map((_, i) => customerIdOf(i)), ['Custom_Field_001__c'])) ?? [];
    expect(records).toHaveLength(size);
    for (const [customerId, record] of second) {
      expect(record.id).toBe(first.get(customerId)?.id);
      expect(record.values.FirstName).toBe(`Renamed${customerId.slice('CUST-'.length)}`);
    }
  });

  it('a job stopped part-way: its processed records kept, the rest sent once more, and a step replayed after a restart creates nothing twice', async () => {
    const size = BULK_THRESHOLD + 100;
    const emails = Array.from({ length: size }, (_, i) => emailOf(i));
    const { audienceId, org, connectionId } = await audienceToPush(emails);
    await salesforceWrites(org, { failNextBulkJobAfter: 700 });

    const { push, report } = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} }, 120_000);
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: size, updated: 0, failed: 0 } });
    // The stopped job wrote its first 700 rows; the 1,400 it never reached went in a second job.
    expect((await salesforceWrites(org)).bulkJobs.map((j) => [j.operation, j.state, j.records])).toEqual([
      ['insert', 'Failed', size],
      ['insert', 'JobComplete', size - 700],
    ]);
    const inCrm = await contactsByEmail(connectionId, emails);
    expect(inCrm.size).toBe(size);
    expect([...inCrm.values()].every((records) => records.length === 1)).toBe(true);
    for (const line of report.lines) expect(line.recordId).toBe(inCrm.get(line.member)?.[0]?.id);

    // The Worker died after Salesforce took the step but before D1 recorded it: the step runs again from the cursor.
    await env.DB.batch([
      env.DB.prepare("UPDATE pushes SET after_member_id = 0, created = 0, status = 'running' WHERE id = ?").bind(push.id),
      env.DB.prepare('DELETE FROM push_records WHERE push_id = ?').bind(push.id),
      env.DB.prepare('DELETE FROM crm_record_links WHERE audience_id = ?').bind(audienceId),
    ]);
    expect(await pushNextBatch(env, 'default', push.id)).toEqual({ done: true, handled: size });
    const replayed = await env.DB.prepare('SELECT created, updated, skipped, failed FROM pushes WHERE id = ?').bind(push.id).first();
    expect(replayed).toEqual({ created: 0, updated: 0, skipped: size, failed: 0 });
    expect((await salesforceWrites(org)).bulkJobs).toHaveLength(2);
    const after = await contactsByEmail(connectionId, emails);
    expect(after.size).toBe(size);
    expect([...after.values()].every((records) => records.length === 1)).toBe(true);
    expect(await linksOf(audienceId)).toHaveLength(size);
  });

  it('one step takes batch after batch within its time budget, each committed with the cursor where the one before ended', async () => {
    const emails = Array.from({ length: 450 }, (_, i) => emailOf(i));
    const { audienceId, org, connectionId } = await audienceToPush(emails);
    const pushId = crypto.randomUUID();
    await insertPushStatement(env.DB, 'default', {
      id: pushId,
      request: { connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} },
      settings: await saveExportSettings(connectionId, SETTINGS),
      startedBy: null,
      total: 450,
      now: new Date().toISOString(),
    }).run();
    expect(await pushNextBatch(env, 'default', pushId, { batchMembers: 200, budgetMs: 60_000 })).toEqual({ done: true, handled: 450 });
    const row = await env.DB.prepare('SELECT created, failed, batches, after_member_id FROM pushes WHERE id = ?').bind(pushId).first();
    const lastMember = await env.DB.prepare('SELECT MAX(id) AS id FROM members WHERE audience_id = ?').bind(audienceId).first<{ id: number }>();
    expect(row).toEqual({ created: 450, failed: 0, batches: 3, after_member_id: lastMember?.id });
    expect((await salesforceWrites(org)).collectionRecords).toBe(450);
    expect((await contactsByEmail(connectionId, emails)).size).toBe(450);
    expect(await linksOf(audienceId)).toHaveLength(450);
  });
});
