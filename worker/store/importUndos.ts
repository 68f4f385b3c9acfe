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
           (SELECT count(*) FROM members WHERE audience_id = ?2 AND created_import_id = ?3 AND workspace_id = ?1),
           (SELECT count(*) FROM member_snapshots AS s JOIN members AS m ON m.id = s.member_id
              WHERE s.import_id = ?3 AND s.workspace_id = ?1),
           CASE WHEN EXISTS (SELECT 1 FROM members WHERE audience_id = ?2 AND created_import_id = ?3 AND workspace_id = ?1
                               AND updated_import_id IS NOT ?3)
                  OR EXISTS (SELECT 1 FROM member_snapshots AS s JOIN members AS m ON m.id = s.member_id
                               WHERE s.import_id = ?3 AND s.workspace_id = ?1 AND m.updated_import_id IS NOT ?3)
                THEN NULL ELSE ?4 END`,
      )
      .bind(workspaceId, audienceId, importId, now),
    // The count before the delete, in the same transaction, so it moves exactly with the members removed.
    db
      .prepare(
        `UPDATE audiences SET updated_at = ?4, member_count = member_count -
           (SELECT count(*) FROM members WHERE audience_id = ?2 AND created_import_id = ?3 AND workspace_id = ?1)
         WHERE workspace_id = ?1 AND id = ?2`,
      )
      .bind(workspaceId, audienceId, importId, now),
    db.prepare('DELETE FROM members WHERE audience_id = ?2 AND created_import_id = ?3 AND workspace_id = ?1').bind(workspaceId, audienceId, importId),
    db
      .prepare(
        `UPDATE members SET attributes = s.attributes, hashes = s.hashes, sealed = s.sealed,
           updated_import_id = s.updated_import_id, updated_at = s.updated_at
         FROM member_snapshots AS s
         WHERE s.import_id = ?2 AND s.workspace_id = ?1 AND members.id = s.member_id AND members.workspace_id = ?1`,
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
         SELECT id FROM members WHERE audience_id = ?2 AND created_import_id = ?3 AND workspace_id = ?1
         UNION SELECT member_id FROM member_snapshots WHERE import_id = ?3 AND workspace_id = ?1)
       SELECT m.updated_import_id AS import_id FROM touched AS t JOIN members AS m ON m.id = t.id
         WHERE m.updated_import_id IS NOT ?3 AND m.updated_import_id IS NOT NULL
       UNION
       SELECT s.import_id FROM touched AS t JOIN member_snapshots AS s ON s.member_id = t.id
         JOIN imports AS i ON i.id = s.import_id AND i.workspace_id = ?1
         WHERE s.import_id IS NOT ?3 AND i.created_at > ?4`,
    )
    .bind(workspaceId, audienceId, importId, createdAt)
    .all<{ import_id: string }>();
  return results.map((r) => r.import_id);
}
