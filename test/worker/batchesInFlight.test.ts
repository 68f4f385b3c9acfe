import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { BatchResult, ImportSummary } from '../../shared/schema/imports.ts';
import { ok, putBatch, rows, startBody, startImport, type Column } from './support/api.ts';
import { storedMembers } from './support/storedMembers.ts';

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'City', target: 'city' },
];

type Err = { error: { code: string; details?: { nextSeq?: number } } };

const cityOf = async (audienceId: string, email: string) => (await storedMembers(audienceId)).find((m) => m.identifier_key === email)?.attributes.city;

/** Batch `seq` of 200 rows: its own 199 people plus one repeat of the previous batch's first person with a new city. */
function batchOf(seq: number) {
  const values = Array.from({ length: 199 }, (_, i) => [`p${seq}-${i}@example.com`, `City ${seq}`]);
  if (seq > 0) values.push([`p${seq - 1}-0@example.com`, `Moved in batch ${seq}`]);
  else values.push(['p0-199@example.com', 'City 0']);
  return rows(seq * 200 + 1, values);
}

describe('two batches of one import in flight', () => {
  it('applies batch N+1 sent before N is answered after N, in seq order, with exact counts', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email', { batchSize: 200 }));
    // Each pair goes out together, N+1 without waiting for N's answer, as the SPA sends with two in flight.
    const answers: { status: number; body: BatchResult }[] = [];
    for (let seq = 0; seq < 6; seq += 2) answers.push(...(await Promise.all([putBatch(imp.id, seq, batchOf(seq)), putBatch(imp.id, seq + 1, batchOf(seq + 1))])));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.body.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(answers[0]?.body.counts).toEqual({ received: 200, inserted: 200, updated: 0, duplicates: 0, rejected: 0, skipped: 0 });
    // N+1's repeat of N's person is counted as the import's own duplicate: N had committed when N+1 read the audience.
    for (const a of answers.slice(1)) expect(a.body.counts).toEqual({ received: 200, inserted: 199, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });

    const done = await ok<ImportSummary>('POST', `/api/imports/${imp.id}/finish`);
    expect(done.nextSeq).toBe(6);
    expect(done.counts).toEqual({ received: 1_200, inserted: 1_195, updated: 0, duplicates: 5, rejected: 0, skipped: 0 });
    expect((await ok<{ memberCount: number }>('GET', `/api/audiences/${imp.audienceId}`)).memberCount).toBe(1_195);
    // Later batches' values won: applied in seq order.
    expect(await cityOf(imp.audienceId, 'p0-0@example.com')).toBe('Moved in batch 1');
    expect(await cityOf(imp.audienceId, 'p4-0@example.com')).toBe('Moved in batch 5');
  });

  it('replays both exactly when the pair is sent again (answers dropped), and applies nothing twice', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email', { batchSize: 200 }));
    const first = await Promise.all([putBatch(imp.id, 0, batchOf(0), 'pair-key-0'), putBatch(imp.id, 1, batchOf(1), 'pair-key-1')]);
    // The tab never heard back and sends both again, again together, and once more the second alone.
    const again = await Promise.all([putBatch(imp.id, 0, batchOf(0), 'pair-key-0'), putBatch(imp.id, 1, batchOf(1), 'pair-key-1')]);
    const late = await putBatch(imp.id, 1, batchOf(1), 'pair-key-1');
    expect(first.map((a) => a.body.replayed)).toEqual([false, false]);
    expect(again.map((a) => a.body.replayed)).toEqual([true, true]);
    expect(late.body.replayed).toBe(true);
    for (const [i, a] of again.entries()) expect(a.body.counts).toEqual(first[i]?.body.counts);
    const summary = await ok<ImportSummary>('GET', `/api/imports/${imp.id}`);
    expect(summary.nextSeq).toBe(2);
    expect(summary.counts).toEqual({ received: 400, inserted: 399, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });
  });

  it('applies N+1 sent before N (N+1 arrives first) once N comes', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email', { batchSize: 200 }));
    const ahead = putBatch(imp.id, 1, batchOf(1));
    await new Promise((r) => setTimeout(r, 60));
    const behind = await putBatch(imp.id, 0, batchOf(0));
    const next = await ahead;
    expect([behind.status, next.status]).toEqual([200, 200]);
    expect(next.body.counts).toMatchObject({ inserted: 199, duplicates: 1 });
    expect((await ok<ImportSummary>('GET', `/api/imports/${imp.id}`)).nextSeq).toBe(2);
  });

  it('refuses N+1 as out of order when N never comes within the wait, and a batch two ahead at once', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email', { batchSize: 200 }));
    const started = Date.now();
    const orphan = await putBatch(imp.id, 1, batchOf(1));
    expect(orphan.status).toBe(409);
    expect((orphan.body as unknown as Err).error).toMatchObject({ code: 'batch_out_of_order', details: { nextSeq: 0 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    const twoAhead = Date.now();
    const gap = await putBatch(imp.id, 2, batchOf(2));
    expect((gap.body as unknown as Err).error).toMatchObject({ code: 'batch_out_of_order', details: { nextSeq: 0 } });
    expect(Date.now() - twoAhead).toBeLessThan(2_000);
    // Nothing was applied; the import continues at 0 as if the orphan had never been sent.
    expect((await ok<ImportSummary>('GET', `/api/imports/${imp.id}`)).counts.received).toBe(0);
    expect((await putBatch(imp.id, 0, batchOf(0))).status).toBe(200);
    expect((await putBatch(imp.id, 1, batchOf(1))).body.counts).toMatchObject({ inserted: 199, duplicates: 1 });
  });
});
