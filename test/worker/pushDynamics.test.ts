import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { openWriter } from '../../worker/connectors/openConnector.ts';
import { pushNextBatch } from '../../worker/push/pushBatch.ts';
import { insertPushStatement } from '../../worker/push/pushStore.ts';
import { fakeDataverse } from '../servers/dynamics/fakeControls.ts';
import { USERS } from '../servers/dynamics/tables.ts';
import { fakeDataverseWrites } from '../servers/dynamics/writeTypes.ts';
import { emailOf, ok, requestAsAdmin } from './support/api.ts';
import { engagementEvent, importAudience, linksOf, preview, pushAndWait, saveExportSettings } from './push/pushHelpers.ts';

// "Sync to CRM" end to end against the fake Dataverse: the routes, the durable run, the real DynamicsWriter ($batch).
const fakeUrl = inject('dynamicsUrl');
const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl };

async function environmentWith(contacts: Record<string, unknown>[], tenant: string = crypto.randomUUID()): Promise<string> {
  await fakeDataverse(fakeUrl, tenant).control({ seedContacts: contacts });
  const res = await requestAsAdmin(
    '/api/connections/dynamics/app',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ environmentUrl: fakeUrl, tenant }) },
    testEnv,
  );
  if (res.status !== 201) throw new Error(`connect failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

const FIELDS = ['emailaddress1', 'firstname', 'lastname', 'jobtitle', 'address1_city', 'telephone1', 'department', 'description', 'salutation', 'ownerid'];

async function contact(connectionId: string, email: string) {
  const opened = await openWriter(testEnv, 'default', connectionId);
  if (!opened) throw new Error('no writer');
  return opened.writer.findBy('contact', 'emailaddress1', [email], FIELDS);
}

const COLUMNS = [
  { column: 'Email', target: 'email' },
  { column: 'First name', target: 'first_name' },
  { column: 'Last name', target: 'last_name' },
  { column: 'Phone', target: 'phone' },
  { column: 'Title', target: 'job_title' },
  { column: 'City', target: 'city' },
];

describe('Sync to CRM, Dynamics 365', () => {
  it('matches by each identifier, writes by the rules, owners from the mapping, and a second run creates nothing', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [
      ['ada@example.com', 'Ada', 'Lovelace', '', 'CTO', 'London'],
      ['bob@example.com', 'Bob', 'Byron', '+1 415 555 0100', 'Poet laureate', ''],
      ['cy@example.com', 'Cy', 'Twice', '', '', ''],
      ['dee@example.com', 'Dee', '', '', 'Analyst', 'Rome'],
    ]);
    const connectionId = await environmentWith([
      { firstname: 'Augusta', lastname: 'Lovelace', emailaddress1: 'ada@example.com', jobtitle: 'CEO', address1_city: 'Paris', modifiedon: '2020-01-01T00:00:00Z' },
      { lastname: 'Byron', telephone1: '+14155550100', jobtitle: 'Poet', modifiedon: '2099-01-01T00:00:00Z' },
      { lastname: 'Twice', emailaddress1: 'cy@example.com' },
      { lastname: 'Twice', emailaddress1: 'cy@example.com' },
    ]);
    const owner = USERS[0]?.systemuserid ?? '';
    await saveExportSettings(connectionId, {
      people: {
        target: 'contact',
        identifiers: [
          { platformField: 'email', crmProperty: 'emailaddress1' },
          { platformField: 'phone', crmProperty: 'telephone1' },
        ],
        fields: [
          { platformField: 'email', crmProperty: 'emailaddress1' },
          { platformField: 'first_name', crmProperty: 'firstname' },
          { platformField: 'last_name', crmProperty: 'lastname', overwrite: false, defaultOnCreate: 'Unknown' },
          { platformField: 'job_title', crmProperty: 'jobtitle', direction: 'two_way' },
          { platformField: 'city', crmProperty: 'address1_city', overwrite: false },
        ],
        fixed: [{ crmProperty: 'salutation', value: 'Dear' }],
        exportTime: [{ crmProperty: 'department', label: 'Campaign', required: false }],
        engagement: [{ crmProperty: 'description', value: 'engaged_by_platform = Yes' }],
      },
      owners: { ownerField: null, users: [{ platformUserEmail: emailOf('admin'), crmUserId: owner }], defaultOwnerId: null },
    });
    await ok('POST', '/api/engagement', { events: [engagementEvent(audienceId, 'bob@example.com', { event: 'reply' })] });
    const request = { connectionId, audienceId, scope: { kind: 'audience' as const }, exportTimeValues: { department: 'Spring' } };

    expect(await preview(request)).toMatchObject({ members: 4, counts: { create: 1, update: 2, conflict: 1 }, object: 'contact' });
    const { push, report } = await pushAndWait(request);
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: 1, updated: 2, conflicts: 1, failed: 0 } });
    expect(report.lines.find((l) => l.member === 'bob@example.com')?.conflicts[0]).toMatchObject({ crmProperty: 'jobtitle', winner: 'crm' });

    const [ada] = await contact(connectionId, 'ada@example.com');
    expect(ada?.values).toMatchObject({ firstname: 'Ada', address1_city: 'Paris', jobtitle: 'CTO', salutation: 'Dear', department: 'Spring', description: null });
    const [bob] = await contact(connectionId, 'bob@example.com');
    expect(bob?.values).toMatchObject({ jobtitle: 'Poet', telephone1: '+14155550100', description: 'engaged_by_platform = Yes' });
    const [dee] = await contact(connectionId, 'dee@example.com');
    expect(dee?.values).toMatchObject({ lastname: 'Unknown', address1_city: 'Rome' });
    // The writer reads a lookup back by the id it points to: the mapped user (not the app user the fake would default to).
    expect(dee?.values.ownerid).toBe(owner);
    expect(await linksOf(audienceId)).toHaveLength(3);

    // Nothing changed since: the owner compares by id (`_ownerid_value`), so each record is skipped, not updated.
    expect(await preview(request)).toMatchObject({ counts: { create: 0, update: 0, skip: 3, conflict: 1 } });
    const again = await pushAndWait(request);
    expect(again.push.counts).toEqual({ created: 0, updated: 0, skipped: 3, conflicts: 1, failed: 0 });
    expect(again.report.lines.find((l) => l.member === 'dee@example.com')).toMatchObject({ action: 'skipped', changes: [] });
    expect(await contact(connectionId, 'dee@example.com')).toHaveLength(1);
  });

  it('plans the next batch while one is written, and plans again the members that write created a record for', async () => {
    // Two members share a phone, the first identifier: the second must find the record the first one's batch makes.
    const { audienceId } = await importAudience(COLUMNS, 'Email', [
      ['ann@example.com', 'Ann', 'One', '+1 415 555 0100', '', ''],
      ['bea@example.com', 'Bea', 'Two', '+1 415 555 0100', '', ''],
      ['cy@example.com', 'Cy', 'Three', '', '', ''],
    ]);
    const tenant = crypto.randomUUID();
    const connectionId = await environmentWith([], tenant);
    // Each $batch lands late, so the next batch's lookups run before the records it makes exist.
    await fakeDataverseWrites(fakeUrl, tenant).control({ batchDelayMs: 1_000 });
    const settings = await saveExportSettings(connectionId, {
      people: {
        target: 'contact',
        identifiers: [
          { platformField: 'phone', crmProperty: 'telephone1' },
          { platformField: 'email', crmProperty: 'emailaddress1' },
        ],
        fields: [
          { platformField: 'email', crmProperty: 'emailaddress1' },
          { platformField: 'first_name', crmProperty: 'firstname' },
          { platformField: 'last_name', crmProperty: 'lastname' },
        ],
      },
      owners: { ownerField: null, users: [], defaultOwnerId: null },
    });
    const pushId = crypto.randomUUID();
    await insertPushStatement(env.DB, 'default', {
      id: pushId,
      request: { connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} },
      settings,
      startedBy: null,
      total: 3,
      now: new Date().toISOString(),
    }).run();
    // One member a batch, all in one step: each batch is planned while the one before it is written.
    expect(await pushNextBatch(testEnv, 'default', pushId, { batchMembers: 1, budgetMs: 60_000 })).toEqual({ done: true, handled: 3 });

    const opened = await openWriter(testEnv, 'default', connectionId);
    const byPhone = await opened?.writer.findBy('contact', 'telephone1', ['+14155550100'], FIELDS);
    expect(byPhone).toHaveLength(1);
    expect(byPhone?.[0]?.values).toMatchObject({ emailaddress1: 'bea@example.com', firstname: 'Bea', lastname: 'Two' });
    const lines = await env.DB.prepare('SELECT member_label, record_id, action FROM push_records WHERE push_id = ? ORDER BY member_id').bind(pushId).all();
    expect(lines.results).toEqual([
      { member_label: 'ann@example.com', record_id: byPhone?.[0]?.id, action: 'created' },
      { member_label: 'bea@example.com', record_id: byPhone?.[0]?.id, action: 'updated' },
      { member_label: 'cy@example.com', record_id: expect.any(String), action: 'created' },
    ]);
    expect(await env.DB.prepare('SELECT created, updated, batches FROM pushes WHERE id = ?').bind(pushId).first()).toEqual({ created: 2, updated: 1, batches: 3 });
  });
});
