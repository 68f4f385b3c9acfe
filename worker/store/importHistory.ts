import type { ImportHistoryEntry } from '../../shared/schema/audiences.ts';
import { toRecord, type ImportRow } from './imports.ts';

type HistoryRow = ImportRow & {
  keeps_snapshots: number;
  removed: number | null;
  restored: number | null;
  undone_at: string | null;
  last_batch_at: string | null;
};

// An open import that has not received a batch for this long is taken as interrupted (closed tab, lost network).
const INTERRUPTED_AFTER_MS = 2 * 60_000;

/** Every import of an audience, newest first, with its undo when it was undone. */
export async function importHistory(db: D1Database, workspaceId: string, audienceId: string, now: Date): Promise<ImportHistoryEntry[]> {
  const { results } = await db
    .prepare(
      `SELECT i.*, u.removed, u.restored, u.undone_at,
         (SELECT max(b.created_at) FROM import_batches AS b WHERE b.import_id = i.id AND b.workspace_id = i.workspace_id) AS last_batch_at
       FROM imports AS i LEFT JOIN import_undos AS u ON u.import_id = i.id AND u.workspace_id = i.workspace_id
       WHERE i.workspace_id = ? AND i.audience_id = ?
       ORDER BY i.created_at DESC, i.id`,
    )
    .bind(workspaceId, audienceId)
    .all<HistoryRow>();
  return results.map((r): ImportHistoryEntry => {
    const record = toRecord(r);
    const lastActivity = Date.parse(r.last_batch_at ?? r.created_at);
    const state =
      r.undone_at !== null
        ? 'undone'
        : r.status === 'completed'
          ? 'completed'
          : now.getTime() - lastActivity > INTERRUPTED_AFTER_MS
            ? 'interrupted'
            : 'running';
    return {
      import: record.summary,
      state,
      undo: r.undone_at === null ? null : { undoneAt: r.undone_at, removed: r.removed ?? 0, restored: r.restored ?? 0 },
      undoable: r.keeps_snapshots === 1 && r.undone_at === null,
      errorCount: record.errorCount,
    };
  });
}
