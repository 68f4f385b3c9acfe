import { createExecutionContext, createScheduledController, env, introspectWorkflow, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import type { Sync } from '../../shared/schema/syncs.ts';
import worker from '../../worker/index.ts';
import { recordId } from '../servers/salesforce/records.ts';
import { connect, createOrg } from './connectors/fakeSalesforce.ts';
import { ok } from './support/api.ts';
import { changeRecords, contacts, createSync, memberEmails, runNow, runsOf, settings, settled } from './sync/syncHelpers.ts';
import { storedMembers } from './support/storedMembers.ts';

describe('a sync run on the Worker', () => {
  it('pulls every page into the audience, then only what changed', async () => {
    const org = await createOrg({ records: { Contact: contacts(5) }, pageSize: 2 });
    const sync = await createSync(await connect(org));

    const first = await runNow(sync.id);
    expect(first.started).toBe(true);
    const full = await settled(sync.id, first.run.id);
    expect(full).toMatchObject({ status: 'succeeded', incremental: false, pulled: 5, removed: 0, trigger: 'manual', version: 1 });
    expect(full.counts).toEqual({ received: 5, inserted: 5, updated: 0, duplicates: 0, rejected: 0, skipped: 0 });
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(5);

    const [changedId] = await changeRecords(org.loginUrl, { object: 'Contact', upsert: [{ ...contacts(1, 6)[0] }] });
    expect(changedId).toBeTruthy();
    const second = await runNow(sync.id);
    const incremental = await settled(sync.id, second.run.id);
    // Changed since the last mark (contact 5's stamp) minus the 5-minute overlap: contact 5 again, and the new one.
    expect(incremental).toMatchObject({ status: 'succeeded', incremental: true, changedSince: '2025-01-04T23:55:00Z', pulled: 2 });
    expect(incremental.counts).toEqual({ received: 2, inserted: 1, updated: 1, duplicates: 0, rejected: 0, skipped: 0 });
    expect(await memberEmails(sync.audienceId)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `person${n}@example.com`));
    const stats = await org.stats();
    expect(stats.queries.at(-1)).toMatch(/SystemModstamp > \d{4}-\d{2}-\d{2}T/);
  });
});

describe('when a run happens', () => {
  it('is started by the Cron Trigger once the sync is due, and scheduled again from its start', async () => {
    const org = await createOrg({ records: { Contact: contacts(3) } });
    const sync = await createSync(await connect(org), settings({ cycle: 'every_5_minutes' }));
    expect(sync.nextRunAt).not.toBeNull();

    const controller = createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' });
    const ctx = createExecutionContext();
    worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    const [run] = await runsOf(sync.id);
    expect(run).toMatchObject({ trigger: 'schedule', version: 1 });
    const done = await settled(sync.id, run?.id ?? '');
    expect(done.counts.inserted).toBe(3);
    const after = await ok<Sync>('GET', `/api/syncs/${sync.id}`);
    expect(after.health).toBe('healthy');
    expect(Date.parse(after.nextRunAt ?? '') - Date.parse(done.startedAt)).toBeGreaterThan(4 * 60_000);
  });

  it('starts one run when two triggers come at once', async () => {
    const org = await createOrg({ records: { Contact: contacts(4) } });
    const sync = await createSync(await connect(org), settings({ cycle: 'every_minute' }));
    const ctx = createExecutionContext();
    const [a, b] = await Promise.all([runNow(sync.id), runNow(sync.id), worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env, ctx)]);
    await waitOnExecutionContext(ctx);
    expect([a.started, b.started].filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(a.run.id).toBe(b.run.id);
    const runs = await runsOf(sync.id);
    expect(runs).toHaveLength(1);
    expect((await settled(sync.id, a.run.id)).counts.inserted).toBe(4);
  });
});

describe('a run that meets trouble', () => {
  it('renews an access token that expires mid-pull once, and goes on', async () => {
    const org = await createOrg({ records: { Contact: contacts(5) }, pageSize: 2 });
    const sync = await createSync(await connect(org));
    const before = (await org.stats()).tokenGrants.refresh_token;
    await org.faults({ expireSessionsAfter: 2 });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', pulled: 5 });
    expect(run.counts).toMatchObject({ received: 5, inserted: 5, duplicates: 0 });
    expect((await org.stats()).tokenGrants.refresh_token - before).toBe(1);
  });

  it('resumes at the page that failed, storing nothing twice', async () => {
    await using introspector = await introspectWorkflow(env.SYNC_RUNS);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
    });
    const org = await createOrg({ records: { Contact: contacts(5) }, pageSize: 2 });
    const sync = await createSync(await connect(org));
    // Page 2 loses its connection: the page step fails, the engine runs it again.
    await org.faults({ dropPages: 1 });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', pulled: 5 });
    expect(run.counts).toEqual({ received: 5, inserted: 5, updated: 0, duplicates: 0, rejected: 0, skipped: 0 });
    expect(await memberEmails(sync.audienceId)).toHaveLength(5);
    // One query: the pull went on from the stored cursor, it did not start over.
    expect((await org.stats()).queries.filter((q) => q.includes('FROM Contact'))).toHaveLength(1);
  });

  it('says why it failed in plain words, and that the connection needs a new login', async () => {
    const org = await createOrg({ records: { Contact: contacts(2) } });
    const sync = await createSync(await connect(org));
    await org.faults({ revokeRefreshTokens: true });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'crm_auth_failed' });
    expect(run.error).toMatch(/Reconnect/);
    const after = await ok<Sync>('GET', `/api/syncs/${sync.id}`);
    expect(after.health).toBe('needs_reconnect');
    expect(after.failingSince).toBe(run.startedAt);
    // The claim is given back: the next run may start (and fails again until reconnected).
    expect((await runNow(sync.id)).started).toBe(true);
  });
});

describe('changing a sync', () => {
  it('applies an edit made during a run to the next run only, which pulls everything again for the new column', async () => {
    const org = await createOrg({ records: { Contact: contacts(3) } });
    const sync = await createSync(await connect(org));
    const first = await runNow(sync.id);
    // Edited right after the start, while the workflow pulls: the run keeps version 1 whenever the edit lands.
    const withLastName = settings();
    withLastName.mapping.columns.push({ column: 'LastName', target: 'last_name', sensitive: false });
    const edited = await ok<Sync>('PUT', `/api/syncs/${sync.id}`, { settings: withLastName });
    expect(edited.version).toBe(2);
    const old = await settled(sync.id, first.run.id);
    expect(old).toMatchObject({ version: 1, status: 'succeeded' });
    expect(await lastNames(sync.audienceId)).toEqual([null, null, null]);

    const next = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(next).toMatchObject({ version: 2, status: 'succeeded', incremental: false, pulled: 3 });
    expect(await lastNames(sync.audienceId)).toEqual(['Synced', 'Synced', 'Synced']);
  });

  it('pauses and resumes', async () => {
    const org = await createOrg({ records: { Contact: contacts(1) } });
    const sync = await createSync(await connect(org), settings({ cycle: 'hourly' }));
    const paused = await ok<Sync>('POST', `/api/syncs/${sync.id}/pause`);
    expect(paused).toMatchObject({ paused: true, health: 'paused', nextRunAt: null });
    const resumed = await ok<Sync>('POST', `/api/syncs/${sync.id}/resume`);
    expect(resumed.paused).toBe(false);
    expect(Date.parse(resumed.nextRunAt ?? '')).toBeLessThanOrEqual(Date.now());
  });
});

async function lastNames(audienceId: string): Promise<(string | null)[]> {
  return (await storedMembers(audienceId)).map((m) => m.attributes.last_name ?? null);
}

describe('records that leave the CRM selection', () => {
  async function flaggedSync(rule: 'remove_member' | 'keep_and_mark') {
    const org = await createOrg({ records: { Contact: contacts(4) } });
    const sync = await createSync(await connect(org), settings({ flagField: 'Custom_Field_005__c', deletionRule: rule }));
    const full = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(full.counts.inserted).toBe(4);
    return { org, sync };
  }

  async function unflagSecond(loginUrl: string): Promise<void> {
    await changeRecords(loginUrl, { object: 'Contact', upsert: [{ Id: contactId(loginUrl, 'person2@example.com'), Custom_Field_005__c: false }] });
  }

  it('removes the member whose flag turned false (rule: remove the member)', async () => {
    const { org, sync } = await flaggedSync('remove_member');
    await unflagSecond(org.loginUrl);
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', incremental: true, removed: 1 });
    expect(await memberEmails(sync.audienceId)).toEqual(['person1@example.com', 'person3@example.com', 'person4@example.com']);
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(3);
  });

  it('keeps the member and marks it removed from the source (rule: keep and mark)', async () => {
    const { org, sync } = await flaggedSync('keep_and_mark');
    await unflagSecond(org.loginUrl);
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run).toMatchObject({ status: 'succeeded', removed: 1 });
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(4);
    const marked = { results: (await storedMembers(sync.audienceId)).filter((m) => m.removed_from_source_at !== null).map((m) => ({ email: m.attributes.email })) };
    expect(marked.results.map((r) => r.email)).toEqual(['person2@example.com']);
  });
});

/** The id the fake gives the contact with this email: records given at org creation are numbered from 900,000. */
function contactId(loginUrl: string, email: string): string {
  const orgIndex = Number(loginUrl.split('/orgs/')[1]?.split('/')[0]);
  return recordId('003', orgIndex, 900_000 + Number(email.match(/person(\d+)@/)?.[1]) - 1);
}
