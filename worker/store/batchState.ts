import { ImportCounts } from '../../shared/schema/imports.ts';
import type { StoredBatch } from './importBatches.ts';
import { toRecord, type ImportRecord, type ImportRow } from './imports.ts';
import { storedMembersOf, storedMembersStatement, type StoredMember, type StoredMemberRow } from './members.ts';
import { parseStoredJson } from './storedJson.ts';

/** What a batch is applied against, read at one snapshot. */
export type BatchState = {
  record: ImportRecord;
  /** The earlier answer to this seq, if there was one. */
  stored: StoredBatch | null;
  /** Each given key that already has a member: its writers, id, write stamp and stored columns; null when no keys were given. */
  members: Map<string, StoredMember> | null;
};

type StateRow = ImportRow & { stored_key: string | null; stored_result: string | null };

/**
 * The import, this seq's stored batch and (when the keys are known) the identifier lookup in ONE round trip: each
 * D1 call is a round trip to the database (a few ms each on local D1, more in production), and a batch used to make
 * three of them before its write. The lookup brings, for each member that exists, the stored columns the Worker
 * merges into (members.ts mergeMembersStatements), one row a member (storedMembersStatement: no 2 MB value), so with
 * keys the two statements go as one D1 batch (one transaction: one snapshot).
 */
export async function readBatchState(
  db: D1Database,
  workspaceId: string,
  importId: string,
  seq: number,
  keys: readonly string[] | null,
): Promise<BatchState | null> {
  const state = db
    .prepare(
      `SELECT i.*, b.idempotency_key AS stored_key, b.result AS stored_result
       FROM imports AS i LEFT JOIN import_batches AS b ON b.import_id = i.id AND b.seq = ?3 AND b.workspace_id = ?1
       WHERE i.workspace_id = ?1 AND i.id = ?2`,
    )
    .bind(workspaceId, importId, seq);
  let row: StateRow | undefined;
  let members: Map<string, StoredMember> | null = null;
  if (keys) {
    const [stateRows, memberRows] = await db.batch<StateRow | StoredMemberRow>([
      state,
      storedMembersStatement(db, workspaceId, '(SELECT audience_id FROM imports WHERE workspace_id = ?1 AND id = ?3)', keys, importId),
    ]);
    row = stateRows?.results[0] as StateRow | undefined;
    members = storedMembersOf((memberRows?.results ?? []) as StoredMemberRow[]);
  } else {
    row = (await state.first<StateRow>()) ?? undefined;
  }
  if (!row) return null;
  return {
    record: toRecord(row),
    stored:
      row.stored_key === null
        ? null
        : {
            idempotencyKey: row.stored_key,
            counts: parseStoredJson(ImportCounts, row.stored_result ?? '', `import_batches.result of ${importId} #${seq}`),
          },
    members,
  };
}
