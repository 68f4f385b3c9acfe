import type { ImportCounts } from '../../shared/schema/imports.ts';

export type StoredBatch = { idempotencyKey: string; counts: ImportCounts };

/**
 * Records the batch as applied. Part of the batch's one transaction, and its guard: unless the import is still
 * open and expects exactly this seq, seq becomes NULL and the NOT NULL constraint aborts the whole transaction
 * (SQLite has no assert outside triggers). A concurrent copy of the batch fails on the primary key the same way.
 */
export function insertBatchStatement(
  db: D1Database,
  workspaceId: string,
  importId: string,
  seq: number,
  idempotencyKey: string,
  counts: ImportCounts,
  now: string,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO import_batches (workspace_id, import_id, seq, idempotency_key, result, created_at)
       VALUES (?1, ?2,
         CASE WHEN (SELECT next_seq FROM imports WHERE workspace_id = ?1 AND id = ?2 AND status = 'open') = ?3 THEN ?3 END,
         ?4, ?5, ?6)`,
    )
    .bind(workspaceId, importId, seq, idempotencyKey, JSON.stringify(counts), now);
}
