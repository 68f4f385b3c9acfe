import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { BatchBody, ImportSummary } from '../../shared/schema/imports.ts';
import { readAesKey } from '../../worker/crypto/aesGcm.ts';
import { createBatchSealer } from '../../worker/crypto/batchSealer.ts';
import { keyedHasherFor } from '../../worker/crypto/keyedHash.ts';
import { ingestBatch } from '../../worker/imports/ingestBatch.ts';
import { ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { storedMembers } from './support/storedMembers.ts';

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'City', target: 'city' },
];

/**
 * The real local D1, with a hook run once just before the first batch() that writes members commits: it lets another
 * request commit in between, which is exactly the interleaving two Worker instances can produce.
 */
function dbCommittingFirst(before: () => Promise<unknown>): D1Database {
  let pending: (() => Promise<unknown>) | null = before;
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          // Only before a write: a batch's state read and the field numbering are D1 batches of two reads or writes.
          const hook = statements.length > 2 ? pending : null;
          if (hook) pending = null;
          if (hook) await hook();
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const seal = await createBatchSealer(readAesKey(env.ENCRYPTION_KEY));
const hasher = await keyedHasherFor(env.HASH_KEY);
const ctx = (db: D1Database, importId: string) => ({
  db,
  seal,
  hasher,
  workspaceId: 'default',
  importId,
  now: () => new Date().toISOString(),
});

const batch = (seq: number, key: string, values: string[][]): BatchBody => ({ seq, idempotencyKey: key, rows: rows(1, values) });

describe('batches racing other writers', () => {
  it('re-classifies when another import created one of its new identifiers first', async () => {
    const a = await startImport(startBody(COLUMNS, 'Email'));
    const b = await startImport(startBody(COLUMNS, 'Email', { audienceId: a.audienceId }));
    const values = [['shared@example.com', 'Oslo'], ['only-a@example.com', '']];

    const result = await ingestBatch(
      ctx(
        dbCommittingFirst(() => ingestBatch(ctx(env.DB, b.id), batch(0, 'b-key-0', [['shared@example.com', 'Bergen']]))),
        a.id,
      ),
      batch(0, 'a-key-0', values),
    );
    expect(result.counts).toEqual({ received: 2, inserted: 1, updated: 1, duplicates: 0, rejected: 0, skipped: 0 });
    const audience = await ok<{ memberCount: number }>('GET', `/api/audiences/${a.audienceId}`);
    expect(audience.memberCount).toBe(2);
    const city = (await storedMembers(a.audienceId)).find((m) => m.identifier_key === 'shared@example.com')?.attributes.city;
    expect(city).toBe('Oslo');
  });

  it('answers from the stored result when a copy of the same batch committed first', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    const body = batch(0, 'same-key-0', [['x@example.com', ''], ['y@example.com', '']]);
    const result = await ingestBatch(ctx(dbCommittingFirst(() => ingestBatch(ctx(env.DB, imp.id), body)), imp.id), body);
    expect(result).toMatchObject({ replayed: true, counts: { received: 2, inserted: 2 } });
    const summary = await ok<ImportSummary>('GET', `/api/imports/${imp.id}`);
    expect(summary.counts).toMatchObject({ received: 2, inserted: 2 });
  });

  it('refuses a batch when the import was finished between its checks and its commit', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    const finishing = dbCommittingFirst(() => ok('POST', `/api/imports/${imp.id}/finish`));
    await expect(ingestBatch(ctx(finishing, imp.id), batch(0, 'late-key-0', [['z@example.com', '']]))).rejects.toMatchObject({
      code: 'import_closed',
    });
    const stored = await env.DB.prepare('SELECT count(*) AS n FROM members WHERE audience_id = ?').bind(imp.audienceId).first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });

  describe('another import writing the same audience between two batches', () => {
    const cityOf = async (audienceId: string, email: string) => (await storedMembers(audienceId)).find((m) => m.identifier_key === email)?.attributes.city;

    it('counts an identifier the import created as a duplicate, not as existing, and keeps its newer values (onMatch reject)', async () => {
      const a = await startImport(startBody(COLUMNS, 'Email', { onMatch: 'reject', batchSize: 1 }));
      const b = await startImport(startBody(COLUMNS, 'Email', { audienceId: a.audienceId }));
      expect((await sendBatch(a.id, 0, rows(1, [['x@example.com', 'Oslo']]))).counts).toMatchObject({ inserted: 1 });
      expect((await sendBatch(b.id, 0, rows(1, [['x@example.com', 'Bergen']]))).counts).toMatchObject({ updated: 1 });
      const again = await sendBatch(a.id, 1, rows(2, [['x@example.com', 'Tromsø']]));
      expect(again.counts).toEqual({ received: 1, inserted: 0, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });
      expect(again.errors).toEqual([]);
      expect(await cityOf(a.audienceId, 'x@example.com')).toBe('Tromsø');
      const summaryA = await ok<ImportSummary>('POST', `/api/imports/${a.id}/finish`);
      expect(summaryA.counts).toEqual({ received: 2, inserted: 1, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });
      const summaryB = await ok<ImportSummary>('POST', `/api/imports/${b.id}/finish`);
      expect(summaryB.counts).toEqual({ received: 1, inserted: 0, updated: 1, duplicates: 0, rejected: 0, skipped: 0 });
      expect((await ok<{ memberCount: number }>('GET', `/api/audiences/${a.audienceId}`)).memberCount).toBe(1);
    });

    it('counts an identifier the import updated as a duplicate the second time, even after another import updated it', async () => {
      const earlier = await startImport(startBody(COLUMNS, 'Email'));
      await sendBatch(earlier.id, 0, rows(1, [['y@example.com', 'Lima']]));
      const a = await startImport(startBody(COLUMNS, 'Email', { audienceId: earlier.audienceId, batchSize: 1 }));
      const b = await startImport(startBody(COLUMNS, 'Email', { audienceId: earlier.audienceId }));
      expect((await sendBatch(a.id, 0, rows(1, [['y@example.com', 'Oslo']]))).counts).toMatchObject({ updated: 1 });
      expect((await sendBatch(b.id, 0, rows(1, [['y@example.com', 'Bergen']]))).counts).toMatchObject({ updated: 1 });
      const again = await sendBatch(a.id, 1, rows(2, [['y@example.com', 'Tromsø']]));
      expect(again.counts).toEqual({ received: 1, inserted: 0, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });
      expect(await cityOf(a.audienceId, 'y@example.com')).toBe('Tromsø');
      // And B, writing again after A, still knows the member as its own.
      expect((await sendBatch(b.id, 1, rows(2, [['y@example.com', 'Bodø']]))).counts).toMatchObject({ duplicates: 1, updated: 0 });
    });
  });
});
