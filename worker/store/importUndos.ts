import { CREATED_BY_IMPORT } from './importMemberSpans.ts';
import { epochMsOf, importRef } from './members.ts';

/** ?1 workspace, ?2 audience, ?3 import: the import's ref; the members it created are CREATED_BY_IMPORT (its id span). */
const THE_IMPORT = importRef('?1', '?3');

/**
 * The statements that undo one import, meant to run in ONE D1 batch (one transaction) — alone or after the
 * statements undoing the later imports of its chain, newest first. The first statement is the guard: it records
 * the undo, and its undone_at turns NULL (aborting the whole transaction on NOT NULL) when any member the import
 * touched was last written by another import, so an audience is never left half undone.
 */
export function undoImportStatements(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  importId: string,
  now: string,
): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO import_undos (import_id, workspace_id, audience_id, removed, restored, undone_at)
         SELECT ?3, ?1, ?2,
           (SELECT count(*) FROM member_records WHERE ${CREATED_BY_IMPORT}),
           (SELECT count(*) FROM member_snapshots AS s JOIN member_records AS m ON m.id = s.member_id
              WHERE s.import_id = ?3 AND s.workspace_id = ?1),
           CASE WHEN EXISTS (SELECT 1 FROM member_records WHERE ${CREATED_BY_IMPORT} AND updated_import IS NOT ${THE_IMPORT})
                  OR EXISTS (SELECT 1 FROM member_snapshots AS s JOIN member_records AS m ON m.id = s.member_id
                               WHERE s.import_id = ?3 AND s.workspace_id = ?1 AND m.updated_import IS NOT ${THE_IMPORT})
                THEN NULL ELSE ?4 END`,
      )
      .bind(workspaceId, audienceId, importId, now),
    // The count before the delete, in the same transaction, so it moves exactly with the members removed.
    db
      .prepare(
        `UPDATE audiences SET updated_at = ?4, member_count = member_count -
           (SELECT count(*) FROM member_records WHERE ${CREATED_BY_IMPORT})
         WHERE workspace_id = ?1 AND id = ?2`,
      )
      .bind(workspaceId, audienceId, importId, now),
    db.prepare(`DELETE FROM member_records WHERE ${CREATED_BY_IMPORT}`).bind(workspaceId, audienceId, importId),
    db
      .prepare(
        `UPDATE member_records SET attributes = s.attributes, hashes = s.hashes, sealed = s.sealed,
           updated_import = ${importRef('?1', 's.updated_import_id')}, updated_at = ${epochMsOf('s.updated_at')}
         FROM member_snapshots AS s
         WHERE s.import_id = ?2 AND s.workspace_id = ?1 AND member_records.id = s.member_id
           AND member_records.audience_ref IN (SELECT ref FROM audiences WHERE workspace_id = ?1)`,
      )
      .bind(workspaceId, importId),
    db.prepare('DELETE FROM member_snapshots WHERE import_id = ?2 AND workspace_id = ?1').bind(workspaceId, importId),
    // An interrupted import is closed too: a batch arriving later is refused (import_closed) instead of writing.
    db
      .prepare(`UPDATE imports SET status = 'completed', finished_at = coalesce(finished_at, ?3) WHERE workspace_id = ?1 AND id = ?2`)
      .bind(workspaceId, importId, now),
  ];
}

export type UndoRecord = { importId: string; removed: number; restored: number; undoneAt: string };

export async function undoRecords(db: D1Database, workspaceId: string, audienceId: string): Promise<Map<string, UndoRecord>> {
  const { results } = await db
    .prepare('SELECT import_id, removed, restored, undone_at FROM import_undos WHERE workspace_id = ? AND audience_id = ?')
    .bind(workspaceId, audienceId)
    .all<{ import_id: string; removed: number; restored: number; undone_at: string }>();
  return new Map(results.map((r) => [r.import_id, { importId: r.import_id, removed: r.removed, restored: r.restored, undoneAt: r.undone_at }]));
}

/**
 * Imports that wrote, after `importId`, to members `importId` touched and are not undone: the current last
 * writer of such a member, and any later import that kept a snapshot of one.
 */
export async function laterWriters(db: D1Database, workspaceId: string, audienceId: string, importId: string, createdAt: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `WITH touched AS (
         SELECT id FROM member_records WHERE ${CREATED_BY_IMPORT}
         UNION SELECT member_id FROM member_snapshots WHERE import_id = ?3 AND workspace_id = ?1)
       SELECT w.id AS import_id FROM touched AS t JOIN member_records AS m ON m.id = t.id JOIN imports AS w ON w.ref = m.updated_import
         WHERE w.id IS NOT ?3
       UNION
       SELECT s.import_id FROM touched AS t JOIN member_snapshots AS s ON s.member_id = t.id
         JOIN imports AS i ON i.id = s.import_id AND i.workspace_id = ?1
         WHERE s.import_id IS NOT ?3 AND i.created_at > ?4`,
    )
    .bind(workspaceId, audienceId, importId, createdAt)
    .all<{ import_id: string }>();
  return results.map((r) => r.import_id);
}
