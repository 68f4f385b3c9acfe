import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { CrmRecordRef } from '../../worker/connectors/connector.ts';
import { openWriter } from '../../worker/connectors/openConnector.ts';
import { pushNextBatch } from '../../worker/push/pushBatch.ts';
import { insertPushStatement } from '../../worker/push/pushStore.ts';
import { connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { call, emailOf, ok } from './support/api.ts';
import { engagementEvent, importAudience, linksOf, preview, pushAndWait, saveExportSettings } from './push/pushHelpers.ts';

// "Sync to CRM" end to end against the fake Salesforce: the routes, the durable run, the real SalesforceWriter.

const COLUMNS = [
  { column: 'Email', target: 'email' },
  { column: 'First name', target: 'first_name' },
  { column: 'Last name', target: 'last_name' },
  { column: 'Phone', target: 'phone' },
  { column: 'Title', target: 'job_title' },
  { column: 'City', target: 'city' },
];

function settingsFor(owner: { users: { platformUserEmail: string; crmUserId: string }[]; defaultOwnerId: string | null }) {
  return {
    people: {
      target: 'contact',
      identifiers: [
        { platformField: 'email', crmProperty: 'Email' },
        { platformField: 'phone', crmProperty: 'Phone' },
      ],
      fields: [
        { platformField: 'email', crmProperty: 'Email' },
        { platformField: 'first_name', crmProperty: 'FirstName' },
        { platformField: 'last_name', crmProperty: 'LastName', overwrite: false, defaultOnCreate: 'Unknown' },
        { platformField: 'job_title', crmProperty: 'Title', direction: 'two_way' },
        { platformField: 'city', crmProperty: 'MailingCity', overwrite: false },
      ],
      fixed: [{ crmProperty: 'LeadSource', value: 'Partner Referral' }],
      exportTime: [{ crmProperty: 'Department', label: 'Campaign', required: true }],
      engagement: [{ crmProperty: 'Custom_Field_001__c', value: 'Yes' }],
      campaign: { opens: 'Custom_Field_013__c', engagement_status: 'Custom_Field_025__c' },
    },
    owners: { ownerField: null, ...owner },
  };
}

const FIELDS = ['Email', 'FirstName', 'LastName', 'Phone', 'Title', 'MailingCity', 'LeadSource', 'Department', 'Custom_Field_001__c', 'Custom_Field_013__c', 'Custom_Field_025__c', 'OwnerId'];

async function contacts(connectionId: string, emails: string[]): Promise<CrmRecordRef[]> {
  const opened = await openWriter(env, 'default', connectionId);
  if (!opened) throw new Error('no writer');
  return opened.writer.findBy('Contact', 'Email', emails, FIELDS);
}

const seanOf = (org: FakeOrgHandle) => `005${org.userId.slice(3, 6)}`;

describe('Sync to CRM, Salesforce', () => {
  it('previews, then creates, updates, skips and reports conflicts by every rule; a second run creates nothing', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [
      ['ada@example.com', 'Ada', 'Lovelace', '', 'CTO', 'London'],
      ['bob@example.com', 'Bob', 'Byron', '+1 415 555 0100', 'Poet laureate', 'Athens'],
      ['cy@example.com', 'Cy', 'Twice', '', '', ''],
      ['dee@example.com', 'Dee', '', '', 'Analyst', 'Rome'],
    ]);
    const org = await createOrg({
      records: {
        Contact: [
          // Matched by email; older than the member: the two-way Title goes to ours.
          { LastName: 'Lovelace', FirstName: 'Augusta', Email: 'ada@example.com', Title: 'CEO', MailingCity: 'Paris', LastModifiedDate: '2020-01-01T00:00:00.000+0000' },
          // Matched by phone (no record has bob's email); changed after the member: the CRM's Title stays.
          { LastName: 'Byron', Phone: '+14155550100', Title: 'Poet', LastModifiedDate: '2099-01-01T00:00:00.000+0000' },
          { LastName: 'Twice', Email: 'cy@example.com' },
          { LastName: 'Twice', Email: 'CY@example.com' },
        ],
      },
    });
    const connectionId = await connect(org);
    const sean = (await (await openWriter(env, 'default', connectionId))?.writer.listUsers())?.find((u) => u.name.startsWith('Seán'));
    if (!sean) throw new Error('the fake has no second user');
    await saveExportSettings(connectionId, settingsFor({ users: [{ platformUserEmail: emailOf('admin'), crmUserId: sean.id }], defaultOwnerId: null }));
    await ok('POST', '/api/engagement', { events: [engagementEvent(audienceId, 'ada@example.com', { event: 'click', step: 2 }), engagementEvent(audienceId, 'ada@example.com')] });

    const request = { connectionId, audienceId, scope: { kind: 'audience' as const }, exportTimeValues: {} };
    const first = await preview(request);
    expect(first).toMatchObject({ members: 4, counts: { create: 1, update: 2, skip: 0, conflict: 1 }, missingRequired: ['Department'], object: 'Contact' });
    expect(first.exportTimeFields).toEqual([{ crmProperty: 'Department', label: 'Campaign', required: true }]);
    const adaDiff = first.sample.find((s) => s.member === 'ada@example.com');
    expect(adaDiff?.changes).toContainEqual({ crmProperty: 'FirstName', crmValue: 'Augusta', newValue: 'Ada' });
    // The CRM's labels of the properties the sample changes, for the panel to show.
    expect(first.fieldLabels).toMatchObject({ FirstName: 'First Name', OwnerId: 'Owner ID' });
    // The mapped user (Seán, for the admin who pushes) is named beside the id written.
    expect(adaDiff?.changes).toContainEqual({ crmProperty: 'OwnerId', crmValue: null, newValue: sean.id, newValueName: "Seán O'Brien" });
    // A required export-time field is refused until it has a value.
    expect((await call('POST', '/api/pushes', request)).status).toBe(400);

    const filled = { ...request, exportTimeValues: { Department: 'Spring' } };
    const { push, report } = await pushAndWait(filled);
    expect(push).toMatchObject({ status: 'succeeded', total: 4, done: 4, counts: { created: 1, updated: 2, skipped: 0, conflicts: 1, failed: 0 } });
    const line = (member: string) => report.lines.find((l) => l.member === member);
    expect(line('cy@example.com')).toMatchObject({ action: 'conflict', recordId: null });
    expect(line('cy@example.com')?.message).toMatch(/Several CRM records match/);
    expect(line('bob@example.com')?.conflicts).toEqual([
      expect.objectContaining({ crmProperty: 'Title', ourValue: 'Poet laureate', crmValue: 'Poet', winner: 'crm' }),
    ]);

    const [ada, bob, dee] = await Promise.all(['ada@example.com', 'bob@example.com', 'dee@example.com'].map(async (e) => (await contacts(connectionId, [e]))[0]));
    // Overwrite on (FirstName) replaced, off (MailingCity) kept; the older two-way Title took ours; fixed, export-time,
    // engagement fields and campaign metrics written for the engaged member.
    expect(ada?.values).toMatchObject({
      FirstName: 'Ada',
      MailingCity: 'Paris',
      Title: 'CTO',
      LeadSource: 'Partner Referral',
      Department: 'Spring',
      Custom_Field_001__c: 'Yes',
      Custom_Field_013__c: '1',
      Custom_Field_025__c: 'Clicked at step 2',
    });
    expect(bob?.values).toMatchObject({ Title: 'Poet', Email: 'bob@example.com', MailingCity: 'Athens', Custom_Field_001__c: null });
    // Created with the default for an empty last name, owned by the mapped user who ran the push.
    expect(dee?.values).toMatchObject({ LastName: 'Unknown', FirstName: 'Dee', Title: 'Analyst', OwnerId: sean.id, Custom_Field_001__c: null });
    expect(line('dee@example.com')).toMatchObject({ action: 'created', recordId: dee?.id });
    expect((await linksOf(audienceId)).map((l) => l.record_id).sort()).toEqual([ada?.id, bob?.id, dee?.id].sort());

    // The CSV report: one line per member, formula-safe.
    const csv = await (await import('./support/api.ts')).fetchAs('admin', `/api/pushes/${push.id}/report.csv`);
    const text = await csv.text();
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(5);
    expect(text).toContain(`dee@example.com,${dee?.id},created`);

    // Again: the remembered records are updated, nothing is created twice.
    const again = await pushAndWait(filled);
    expect(again.push.counts).toMatchObject({ created: 0, conflicts: 1, failed: 0 });
    expect(await contacts(connectionId, ['dee@example.com'])).toHaveLength(1);
    expect(await contacts(connectionId, ['ada@example.com'])).toHaveLength(1);
  });

  it('gives new records the default owner when no user mapping matches, and pushes one member or a search', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [
      ['eve@example.com', 'Eve', 'Adams', '', '', 'Oslo'],
      ['fay@example.com', 'Fay', 'Bell', '', '', 'Oslo'],
      ['gus@example.com', 'Gus', 'Cole', '', '', 'Bergen'],
    ]);
    const org = await createOrg();
    const connectionId = await connect(org);
    const users = (await (await openWriter(env, 'default', connectionId))?.writer.listUsers()) ?? [];
    const fallback = users.find((u) => u.name.startsWith('Seán'))?.id ?? '';
    const settings = settingsFor({ users: [{ platformUserEmail: 'someone.else@example.com', crmUserId: users[0]?.id ?? '' }], defaultOwnerId: fallback });
    await saveExportSettings(connectionId, { ...settings, people: { ...settings.people, exportTime: [] } });
    const page = await ok<{ members: { id: string; identifier: string }[] }>('GET', `/api/audiences/${audienceId}/members`);
    const eve = page.members.find((m) => m.identifier === 'eve@example.com');

    const one = await pushAndWait({ connectionId, audienceId, scope: { kind: 'member', memberId: Number(eve?.id) }, exportTimeValues: {} });
    expect(one.push).toMatchObject({ total: 1, counts: { created: 1 } });
    expect((await contacts(connectionId, ['eve@example.com']))[0]?.values.OwnerId).toBe(fallback);

    const oslo = await preview({ connectionId, audienceId, scope: { kind: 'filter', field: 'city', value: 'Oslo' }, exportTimeValues: {} });
    expect(oslo).toMatchObject({ members: 2, counts: { create: 1, skip: 1 } });
    // The owner a create gets is shown by name beside the id written.
    expect(oslo.sample[0]?.changes).toContainEqual({ crmProperty: 'OwnerId', crmValue: null, newValue: fallback, newValueName: "Seán O'Brien" });
    const byIdentifier = await preview({ connectionId, audienceId, scope: { kind: 'selection', search: ' GUS@example.com' }, exportTimeValues: {} });
    expect(byIdentifier).toMatchObject({ members: 1, counts: { create: 1 } });
  });

  it('resumes after a restart at the first batch not written, and a batch written to the CRM but not recorded creates nothing twice', async () => {
    const emails = Array.from({ length: 450 }, (_, i) => `member${i}@example.com`);
    const { audienceId } = await importAudience(COLUMNS, 'Email', emails.map((e, i) => [e, `First${i}`, `Last${i}`, '', '', '']));
    const org = await createOrg();
    const connectionId = await connect(org);
    const settings = await saveExportSettings(connectionId, { ...settingsFor({ users: [], defaultOwnerId: null }), people: { ...settingsFor({ users: [], defaultOwnerId: null }).people, exportTime: [] } });
    // A push row as POST /api/pushes writes it, its steps driven here as the engine would after restarts.
    const pushId = crypto.randomUUID();
    await insertPushStatement(env.DB, 'default', {
      id: pushId,
      request: { connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} },
      settings,
      startedBy: null,
      total: 450,
      now: new Date().toISOString(),
    }).run();
    const cursor = async () => env.DB.prepare('SELECT after_member_id, created FROM pushes WHERE id = ?').bind(pushId).first<{ after_member_id: number; created: number }>();

    expect(await pushNextBatch(env, 'default', pushId, { batchMembers: 200, budgetMs: 0 })).toEqual({ done: false, handled: 200 });
    const afterFirst = await cursor();
    // The Worker died after the CRM took batch 2 but before D1 recorded it: write it, then forget it was written.
    expect(await pushNextBatch(env, 'default', pushId, { batchMembers: 200, budgetMs: 0 })).toEqual({ done: false, handled: 200 });
    await env.DB.batch([
      env.DB.prepare('UPDATE pushes SET after_member_id = ?, created = ? WHERE id = ?').bind(afterFirst?.after_member_id, afterFirst?.created, pushId),
      env.DB.prepare('DELETE FROM push_records WHERE push_id = ? AND member_id > ?').bind(pushId, afterFirst?.after_member_id),
      env.DB.prepare('DELETE FROM crm_record_links WHERE audience_id = ? AND member_key IN (SELECT identifier_key FROM members WHERE audience_id = ? AND id > ?)').bind(audienceId, audienceId, afterFirst?.after_member_id),
    ]);
    // The restarted run goes on at batch 2: found by email, updated or left alone, not created again.
    expect(await pushNextBatch(env, 'default', pushId, { batchMembers: 200, budgetMs: 0 })).toEqual({ done: false, handled: 200 });
    expect(await pushNextBatch(env, 'default', pushId, { batchMembers: 200, budgetMs: 0 })).toEqual({ done: true, handled: 50 });
    const done = await env.DB.prepare('SELECT created, updated, skipped FROM pushes WHERE id = ?').bind(pushId).first<{ created: number; updated: number; skipped: number }>();
    expect(done).toEqual({ created: 250, updated: 0, skipped: 200 });
    const found = [];
    for (let i = 0; i < emails.length; i += 200) found.push(...(await contacts(connectionId, emails.slice(i, i + 200))));
    expect(found).toHaveLength(450);
    expect(new Set(found.map((r) => r.values.Email)).size).toBe(450);
    expect(await linksOf(audienceId)).toHaveLength(450);
  });

  it('the preview re-checks the fields the CRM requires on create against its describe now, and the push is refused until they are covered', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [
      ['rex@example.com', 'Rex', 'Stone', '', 'Geologist', ''],
      ['sue@example.com', 'Sue', 'Field', '', 'Botanist', ''],
    ]);
    const org = await createOrg();
    const connectionId = await connect(org);
    const people = { target: 'contact', identifiers: [{ platformField: 'email', crmProperty: 'Email' }], fields: [{ platformField: 'last_name', crmProperty: 'LastName' }] };
    await saveExportSettings(connectionId, { people });
    const request = { connectionId, audienceId, scope: { kind: 'audience' as const }, exportTimeValues: {} };
    expect((await preview(request)).requiredNotCovered).toEqual([]);

    // Since the settings were saved, a Salesforce admin made Title required on Contacts.
    const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
    const made = await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/fields`, { method: 'POST', body: JSON.stringify({ object: 'Contact', field: 'Title', required: true }) });
    expect(made.ok).toBe(true);
    const seen = await preview(request);
    expect(seen.requiredNotCovered).toEqual([
      {
        path: ['people'],
        code: 'required_not_covered',
        message: 'Salesforce needs “Title” to create Contacts: map it in Export mapping, give it a fixed value or a default on create.',
      },
    ]);
    expect(seen.counts).toMatchObject({ create: 2 });
    const refused = await call<{ error: { code: string; message: string; details: unknown } }>('POST', '/api/pushes', request);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'export_settings_invalid', details: seen.requiredNotCovered });
    expect(refused.body.error.message).toBe(
      'Nothing was sent: Salesforce needs “Title” to create Contacts: map it in Export mapping, give it a fixed value or a default on create. An admin changes this on the connection’s integration settings.',
    );
    const { results } = await env.DB.prepare('SELECT id FROM pushes WHERE audience_id = ?').bind(audienceId).all();
    expect(results).toHaveLength(0);
    expect(await contacts(connectionId, ['rex@example.com', 'sue@example.com'])).toHaveLength(0);

    // Covered by a mapping, the preview is clear and the push creates both.
    await saveExportSettings(connectionId, { people: { ...people, fields: [...people.fields, { platformField: 'job_title', crmProperty: 'Title' }] } });
    expect((await preview(request)).requiredNotCovered).toEqual([]);
    const { push } = await pushAndWait(request);
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: 2, failed: 0 } });
  });
});
