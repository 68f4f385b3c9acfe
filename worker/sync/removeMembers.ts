import type { DeletionRule } from '../../shared/schema/syncs.ts';

/**
 * Members whose records left the CRM (deleted there, or their flag turned false), by identifier key, following the
 * sync's deletion rule, in one transaction: `remove_member` deletes them and lowers the audience's count by exactly
 * the rows deleted; `keep_and_mark` stamps them once. Returns how many members left or were marked; running it
 * again for the same keys changes nothing and returns 0.
 */
export async function removeMembers(
  db: D1Database,
  p: { workspaceId: string; audienceId: string; keys: readonly string[]; rule: DeletionRule; now: string },
): Promise<number> {
  if (p.keys.length === 0) return 0;
  const keys = JSON.stringify(p.keys);
  if (p.rule === 'keep_and_mark') {
    const r = await db
      .prepare(
        `UPDATE members SET removed_from_source_at = ?, updated_at = ?
         WHERE workspace_id = ? AND audience_id = ? AND removed_from_source_at IS NULL AND identifier_key IN (SELECT value FROM json_each(?))`,
      )
      .bind(p.now, p.now, p.workspaceId, p.audienceId, keys)
      .run();
    return r.meta.changes;
  }
  const matching = `FROM members WHERE workspace_id = ?1 AND audience_id = ?2 AND identifier_key IN (SELECT value FROM json_each(?3))`;
  const [counted] = await db.batch<{ n: number }>([
    db.prepare(`SELECT count(*) AS n ${matching}`).bind(p.workspaceId, p.audienceId, keys),
    // Nothing is left to restore an undo into (as when one member is deleted by hand).
    db.prepare(`DELETE FROM member_snapshots WHERE workspace_id = ?1 AND member_id IN (SELECT id ${matching})`).bind(p.workspaceId, p.audienceId, keys),
    db
      .prepare(`UPDATE audiences SET member_count = member_count - (SELECT count(*) ${matching}), updated_at = ?4 WHERE workspace_id = ?1 AND id = ?2`)
      .bind(p.workspaceId, p.audienceId, keys, p.now),
    db.prepare(`DELETE ${matching}`).bind(p.workspaceId, p.audienceId, keys),
  ]);
  return counted?.results[0]?.n ?? 0;
}

/** A record that is back in the CRM (or flagged true again) is no longer marked as removed. */
export async function unmarkMembers(db: D1Database, p: { workspaceId: string; audienceId: string; keys: readonly string[] }): Promise<void> {
  if (p.keys.length === 0) return;
  await db
    .prepare(
      `UPDATE members SET removed_from_source_at = NULL
       WHERE workspace_id = ? AND audience_id = ? AND removed_from_source_at IS NOT NULL AND identifier_key IN (SELECT value FROM json_each(?))`,
    )
    .bind(p.workspaceId, p.audienceId, JSON.stringify(p.keys))
    .run();
}
