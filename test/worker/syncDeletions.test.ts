import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import type { DeletionRule } from '../../shared/schema/syncs.ts';
import { recordId } from '../servers/salesforce/records.ts';
import { connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { ok } from './support/api.ts';
import { changeRecords, contacts, createSync, memberEmails, runNow, settings, settled } from './sync/syncHelpers.ts';
import { storedMembers } from './support/storedMembers.ts';

/** The id the fake gives the n-th contact given at org creation (numbered from 900,000). */
function contactId(org: FakeOrgHandle, n: number): string {
  return recordId('003', Number(org.loginUrl.split('/orgs/')[1]?.split('/')[0]), 900_000 + n - 1);
}

async function linkedRecords(audienceId: string): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT record_id FROM crm_record_links WHERE audience_id = ? ORDER BY record_id').bind(audienceId).all<{ record_id: string }>();
  return results.map((r) => r.record_id);
}

async function syncedOrg(rule: DeletionRule) {
  const org = await createOrg({ records: { Contact: contacts(4) }, pageSize: 3 });
  const sync = await createSync(await connect(org), settings({ deletionRule: rule }));
  const full = await settled(sync.id, (await runNow(sync.id)).run.id);
  expect(full).toMatchObject({ status: 'succeeded', pulled: 4, removed: 0 });
  return { org, sync };
}

describe('records deleted in Salesforce', () => {
  it('links every stored record to its member by the record id, without mapping the id', async () => {
    const { org, sync } = await syncedOrg('remove_member');
    expect(await linkedRecords(sync.audienceId)).toEqual([1, 2, 3, 4].map((n) => contactId(org, n)));
    for (const m of await storedMembers(sync.audienceId)) expect(Object.keys(m.attributes).sort()).toEqual(['email', 'first_name']);
  });

  it('removes the member of a record moved to the recycle bin (rule: remove the member)', async () => {
    const { org, sync } = await syncedOrg('remove_member');
    await changeRecords(org.loginUrl, { object: 'Contact', delete: [contactId(org, 2)] });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    // The changed-records query no longer sees the deleted contact; queryAll does.
    expect(run).toMatchObject({ status: 'succeeded', incremental: true, removed: 1 });
    expect(await memberEmails(sync.audienceId)).toEqual(['person1@example.com', 'person3@example.com', 'person4@example.com']);
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(3);
    expect(await linkedRecords(sync.audienceId)).toEqual([1, 3, 4].map((n) => contactId(org, n)));
    const stats = await org.stats();
    expect(stats.queries.at(-1)).toMatch(/^SELECT Id FROM Contact WHERE IsDeleted = true AND SystemModstamp > \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    // Seen once: the next run removes nothing more.
    const again = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(again).toMatchObject({ status: 'succeeded', removed: 0 });
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(3);
  });

  it('keeps the member and marks it removed from the source (rule: keep and mark)', async () => {
    const { org, sync } = await syncedOrg('keep_and_mark');
    await changeRecords(org.loginUrl, { object: 'Contact', delete: [contactId(org, 3)] });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', removed: 1 });
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(4);
    const marked = { results: (await storedMembers(sync.audienceId)).filter((m) => m.removed_from_source_at !== null).map((m) => ({ email: m.attributes.email })) };
    expect(marked.results.map((r) => r.email)).toEqual(['person3@example.com']);
  });

  it('removes every deleted record when the deletions span several queryAll pages', async () => {
    const org = await createOrg({ records: { Contact: contacts(5) }, pageSize: 2 });
    const sync = await createSync(await connect(org));
    expect((await settled(sync.id, (await runNow(sync.id)).run.id)).counts.inserted).toBe(5);
    await changeRecords(org.loginUrl, { object: 'Contact', delete: [1, 3, 5].map((n) => contactId(org, n)) });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', removed: 3 });
    expect(await memberEmails(sync.audienceId)).toEqual(['person2@example.com', 'person4@example.com']);
  });

  it('keeps a member another record still stands for', async () => {
    const org = await createOrg({ records: { Contact: [...contacts(2), { ...contacts(1, 2)[0], FirstName: 'Twin' }] } });
    const sync = await createSync(await connect(org));
    expect((await settled(sync.id, (await runNow(sync.id)).run.id)).counts).toMatchObject({ received: 3, inserted: 2 });
    await changeRecords(org.loginUrl, { object: 'Contact', delete: [contactId(org, 2)] });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', removed: 0 });
    expect(await memberEmails(sync.audienceId)).toEqual(['person1@example.com', 'person2@example.com']);
  });
});

describe('the removed count of a run', () => {
  const aDayLater = (syncId: string) => env.DB.prepare("UPDATE syncs SET reconciled_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").bind(syncId).run();
  const storedCount = async (audienceId: string) =>
    (await env.DB.prepare('SELECT count(*) AS n FROM members WHERE audience_id = ?').bind(audienceId).first<{ n: number }>())?.n;

  it('counts every member that left, by every path, exactly once, and the audience count follows', async () => {
    const org = await createOrg({ records: { Contact: contacts(6) } });
    const sync = await createSync(await connect(org), settings({ flagField: 'Custom_Field_005__c' }));
    expect(await settled(sync.id, (await runNow(sync.id)).run.id)).toMatchObject({ status: 'succeeded', pulled: 6, removed: 0 });

    // Four members leave: person1's flag turned false; person2's record went to the recycle bin (queryAll); person3's
    // was deleted for good (the daily reconcile); person5's flag turned false on a page that also brings a new,
    // unflagged record with the same email (one member, once).
    await changeRecords(org.loginUrl, {
      object: 'Contact',
      upsert: [
        { Id: contactId(org, 1), Custom_Field_005__c: false },
        { Id: contactId(org, 5), Custom_Field_005__c: false },
        { LastName: 'Synced', FirstName: 'Twin', Email: 'person5@example.com', Custom_Field_005__c: false },
      ],
      delete: [contactId(org, 2)],
      purge: [contactId(org, 3)],
    });
    await aDayLater(sync.id);
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', incremental: true, removed: 4 });
    expect(await memberEmails(sync.audienceId)).toEqual(['person4@example.com', 'person6@example.com']);
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(2);
    expect(await storedCount(sync.audienceId)).toBe(2);

    await aDayLater(sync.id);
    expect(await settled(sync.id, (await runNow(sync.id)).run.id)).toMatchObject({ status: 'succeeded', removed: 0 });
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(2);
  });

  it('takes nobody with an unflagged record that never was a member\'s, even with a member\'s email', async () => {
    const org = await createOrg({ records: { Contact: contacts(2) } });
    const sync = await createSync(await connect(org), settings({ flagField: 'Custom_Field_005__c' }));
    expect(await settled(sync.id, (await runNow(sync.id)).run.id)).toMatchObject({ removed: 0 });
    await changeRecords(org.loginUrl, { object: 'Contact', upsert: [{ LastName: 'Synced', FirstName: 'Twin', Email: 'person2@example.com', Custom_Field_005__c: false }] });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', removed: 0 });
    expect(await memberEmails(sync.audienceId)).toEqual(['person1@example.com', 'person2@example.com']);
  });

  it('counts, on a full run, the members of records deleted since the last run (a full run asks no queryAll)', async () => {
    const org = await createOrg({ records: { Contact: contacts(4) } });
    const sync = await createSync(await connect(org), settings({ deletionRule: 'keep_and_mark' }));
    expect(await settled(sync.id, (await runNow(sync.id)).run.id)).toMatchObject({ removed: 0 });
    await changeRecords(org.loginUrl, { object: 'Contact', delete: [contactId(org, 2)] });
    // A record changed after the deletion: the next incremental run's "changed since" would be past it anyway.
    await changeRecords(org.loginUrl, { object: 'Contact', upsert: [{ Id: contactId(org, 4), FirstName: 'Later' }] });
    // An edit of what is pulled makes the next run full.
    const edited = settings({ deletionRule: 'keep_and_mark' });
    edited.mapping.columns.push({ column: 'LastName', target: 'last_name', sensitive: false });
    await ok('PUT', `/api/syncs/${sync.id}`, { settings: edited });

    const full = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(full).toMatchObject({ status: 'succeeded', incremental: false, pulled: 3, removed: 1 });
    const marked = { results: (await storedMembers(sync.audienceId)).filter((m) => m.removed_from_source_at !== null).map((m) => ({ email: m.attributes.email })) };
    expect(marked.results.map((r) => r.email)).toEqual(['person2@example.com']);
    // The next run finds nothing more to count.
    expect(await settled(sync.id, (await runNow(sync.id)).run.id)).toMatchObject({ status: 'succeeded', incremental: true, removed: 0 });
  });
});
