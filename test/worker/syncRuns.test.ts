import { describe, expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import { connect, createOrg } from './connectors/fakeSalesforce.ts';
import { ok } from './support/api.ts';
import { changeRecords, contacts, createSync, memberEmails, runNow, settled } from './sync/syncHelpers.ts';

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
