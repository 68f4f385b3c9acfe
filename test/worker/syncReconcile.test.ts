import { env, introspectWorkflow } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import { reconcileStep } from '../../worker/sync/reconcile.ts';
import { storePages } from '../../worker/sync/storePages.ts';
import { guid } from '../servers/dynamics/tables.ts';
import { recordId } from '../servers/salesforce/records.ts';
import { connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { ok } from './support/api.ts';
import { dynamicsSync } from './sync/dynamicsSync.ts';
import { changeRecords, contacts, createSync, memberEmails, runNow, settings, settled } from './sync/syncHelpers.ts';
import { storedMembers } from './support/storedMembers.ts';

// Records gone from the CRM where the CRM says nothing about it (Dataverse without change tracking, a sync with
// filters, Salesforce records purged from the recycle bin), found by the reconcile (worker/sync/reconcile.ts).
const dataverseUrl = inject('dynamicsUrl');
const WORKSPACE = 'default';
const dynamicsContact = (n: number) => guid(n, 0xc5);

function salesforceContact(org: FakeOrgHandle, n: number): string {
  return recordId('003', Number(org.loginUrl.split('/orgs/')[1]?.split('/')[0]), 900_000 + n - 1);
}

/** A day goes by: the last comparison with the CRM as a whole is older than the reconcile's interval. */
async function aDayLater(syncId: string): Promise<void> {
  await env.DB.prepare("UPDATE syncs SET reconciled_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").bind(syncId).run();
}

async function reconciledAt(syncId: string): Promise<string | null> {
  return (await env.DB.prepare('SELECT reconciled_at FROM syncs WHERE id = ?').bind(syncId).first<{ reconciled_at: string | null }>())?.reconciled_at ?? null;
}

const memberCount = async (audienceId: string) => (await ok<Audience>('GET', `/api/audiences/${audienceId}`)).memberCount;

async function markedEmails(audienceId: string): Promise<string[]> {
  return (await storedMembers(audienceId))
    .filter((m) => m.removed_from_source_at !== null)
    .map((m) => m.attributes.email as string)
    .sort();
}

const run = async (syncId: string) => settled(syncId, (await runNow(syncId)).run.id);

describe('a Dataverse table without change tracking', () => {
  it('finds deleted records once a day by their ids, page by page, and removes exactly their members', async () => {
    const { fake, sync } = await dynamicsSync(dataverseUrl, 5, 2);
    await fake.control({ contactChangeTracking: false });
    const full = await run(sync.id);
    expect(full).toMatchObject({ status: 'succeeded', incremental: false, pulled: 5, removed: 0 });
    // A full run saw every record: that is a comparison with the CRM as a whole.
    expect(await reconciledAt(sync.id)).toBe(full.startedAt);

    await fake.control({ clearLog: true, changeContacts: { delete: [dynamicsContact(2), dynamicsContact(4)] } });
    // Within the day: modifiedon says nothing of deleted records, and no id pull is made.
    const quiet = await run(sync.id);
    expect(quiet).toMatchObject({ status: 'succeeded', incremental: true, removed: 0 });
    expect(await memberCount(sync.audienceId)).toBe(5);
    expect((await fake.log()).requests.filter((r) => decodeURIComponent(r.url).includes('$select=contactid&'))).toHaveLength(0);

    await aDayLater(sync.id);
    await fake.control({ clearLog: true });
    const reconciled = await run(sync.id);
    expect(reconciled).toMatchObject({ status: 'succeeded', incremental: true, removed: 2 });
    expect(await memberEmails(sync.audienceId)).toEqual([1, 3, 5].map((n) => `person${n}@example.com`));
    expect(await memberCount(sync.audienceId)).toBe(3);
    expect(await reconciledAt(sync.id)).toBe(reconciled.startedAt);
    // Three records left, two a page: the ids only, in two pages, each asked once.
    const idPages = (await fake.log()).requests.filter((r) => /\/contacts\?/.test(r.url) && decodeURIComponent(r.url).includes('$select=contactid&'));
    expect(idPages.map((r) => r.status)).toEqual([200, 200]);
    expect(idPages[1]?.url).toContain('skiptoken');

    // Nothing is removed twice.
    await aDayLater(sync.id);
    expect(await run(sync.id)).toMatchObject({ status: 'succeeded', removed: 0 });
    expect(await memberCount(sync.audienceId)).toBe(3);
  });

  it('keeps and marks the member of a record that left the filter, and unmarks it when it comes back', async () => {
    const { fake, sync } = await dynamicsSync(dataverseUrl, 3, 2);
    const filtered = { ...sync.settings, filters: [{ field: 'lastname', operator: 'equals' as const, value: 'Synced' }], deletionRule: 'keep_and_mark' as const };
    await ok('PUT', `/api/syncs/${sync.id}`, { settings: filtered });
    expect(await run(sync.id)).toMatchObject({ status: 'succeeded', incremental: false, pulled: 3, removed: 0 });

    // Still in Dynamics 365, but no longer what the sync selects: the incremental query cannot see it go.
    await fake.control({ changeContacts: { upsert: [{ contactid: dynamicsContact(3), lastname: 'Elsewhere' }] } });
    await aDayLater(sync.id);
    const reconciled = await run(sync.id);
    expect(reconciled).toMatchObject({ status: 'succeeded', incremental: true, removed: 1 });
    expect(await markedEmails(sync.audienceId)).toEqual(['person3@example.com']);
    expect(await memberCount(sync.audienceId)).toBe(3);

    await fake.control({ changeContacts: { upsert: [{ contactid: dynamicsContact(3), lastname: 'Synced' }] } });
    const back = await run(sync.id);
    expect(back).toMatchObject({ status: 'succeeded', removed: 0 });
    expect(await markedEmails(sync.audienceId)).toEqual([]);
  });

  it('sweeps after a full read of a change feed whose token expired (the deletions in between are lost to the feed)', async () => {
    const { fake, sync } = await dynamicsSync(dataverseUrl, 4, 2);
    expect(await run(sync.id)).toMatchObject({ status: 'succeeded', pulled: 4 });
    await fake.control({ changeContacts: { delete: [dynamicsContact(1)] }, expireDeltaTokens: true });
    const full = await run(sync.id);
    expect(full).toMatchObject({ status: 'succeeded', incremental: false, pulled: 3, removed: 1 });
    expect(full.notice).toMatch(/read every record again/);
    expect(await memberEmails(sync.audienceId)).toEqual([2, 3, 4].map((n) => `person${n}@example.com`));
  });
});

describe('Salesforce records deleted for good', () => {
  it('are found by the daily id pull (queryAll no longer returns them), with the flag field asked for', async () => {
    const org = await createOrg({ records: { Contact: contacts(4) }, pageSize: 3 });
    const sync = await createSync(await connect(org), settings({ flagField: 'Custom_Field_005__c' }));
    expect(await run(sync.id)).toMatchObject({ status: 'succeeded', pulled: 4, removed: 0 });

    await changeRecords(org.loginUrl, { object: 'Contact', purge: [salesforceContact(org, 2)] });
    expect(await run(sync.id)).toMatchObject({ status: 'succeeded', incremental: true, removed: 0 });
    expect(await memberCount(sync.audienceId)).toBe(4);

    await aDayLater(sync.id);
    const reconciled = await run(sync.id);
    expect(reconciled).toMatchObject({ status: 'succeeded', incremental: true, removed: 1 });
    expect(await memberEmails(sync.audienceId)).toEqual([1, 3, 4].map((n) => `person${n}@example.com`));
    const queries = (await org.stats()).queries;
    expect(queries.at(-1)).toBe("SELECT Id FROM Contact WHERE LastName = 'Synced' AND Custom_Field_005__c = true");
  });
});

describe('a reconcile interrupted between steps', () => {
  it('goes on at the id page it was at and counts every member exactly once', async () => {
    const org = await createOrg({ records: { Contact: contacts(7) }, pageSize: 2 });
    const sync = await createSync(await connect(org));
    expect(await run(sync.id)).toMatchObject({ status: 'succeeded', pulled: 7 });
    await changeRecords(org.loginUrl, { object: 'Contact', purge: [1, 4, 7].map((n) => salesforceContact(org, n)) });
    await aDayLater(sync.id);

    // The test plays the engine: the run's steps are called here, one id page per step.
    const introspector = await introspectWorkflow(env.SYNC_RUNS);
    try {
      await introspector.modifyAll(async (m) => {
        await m.mockStepResult({ name: 'pages 0' }, { done: true, nextSeq: 0, pages: 0, pulled: 0 });
        await m.mockStepResult({ name: 'reconcile 0' }, { done: true });
        await m.mockStepResult({ name: 'finish' }, 'held by the test');
      });
      const { run: held } = await runNow(sync.id);
      expect(await storePages(env, WORKSPACE, held.id)).toMatchObject({ done: true });
      const oneStep = { maxRecords: 1, maxMs: 0 };
      const before = (await org.stats()).queries.length;
      // Four records left, two a page: two id pages, then the sweep.
      expect(await reconcileStep(env, WORKSPACE, held.id, oneStep)).toEqual({ done: false });
      expect(await memberCount(sync.audienceId)).toBe(7);
      await org.faults({ fail: { status: 503, count: 10 } });
      await expect(reconcileStep(env, WORKSPACE, held.id)).rejects.toMatchObject({ code: 'crm_unavailable' });
      await org.faults({ fail: { status: 503, count: 0 } });
      // The last id page, then the sweep's first chunk (all three), and the step's time is up.
      expect(await reconcileStep(env, WORKSPACE, held.id, oneStep)).toEqual({ done: false });
      expect(await memberCount(sync.audienceId)).toBe(4);
      expect(await reconcileStep(env, WORKSPACE, held.id)).toEqual({ done: true });
      // Run again after it is done: nothing more.
      expect(await reconcileStep(env, WORKSPACE, held.id)).toEqual({ done: true });
      // One query for the ids, then its second page: the first page was not asked again after the failure (the
      // other query is the deletions step's queryAll of the recycle bin).
      const idQueries = (await org.stats()).queries.slice(before).filter((q) => !q.includes('IsDeleted'));
      expect(idQueries).toEqual(["SELECT Id FROM Contact WHERE LastName = 'Synced'"]);
      expect(await memberEmails(sync.audienceId)).toEqual([2, 3, 5, 6].map((n) => `person${n}@example.com`));
      expect(await memberCount(sync.audienceId)).toBe(4);
      const row = await env.DB.prepare('SELECT removed FROM sync_runs WHERE id = ?').bind(held.id).first<{ removed: number }>();
      expect(row?.removed).toBe(3);
    } finally {
      await introspector.dispose();
    }
  });
});
