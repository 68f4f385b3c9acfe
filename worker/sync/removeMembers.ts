import type { DeletionRule } from '../../shared/schema/syncs.ts';
import { audienceRef, epochMsOf } from '../store/members.ts';

export type Leaving = { workspaceId: string; audienceId: string; keys: readonly string[]; rule: DeletionRule; now: string };

/**
 * The ids of the audience's members with these identifier keys (?1 workspace, ?2 audience, ?3 the keys as a JSON
 * array). CROSS JOIN fixes the loop order: one probe of the unique (audience_ref, identifier_key) index per key.
 * Written as `identifier_key IN (SELECT value FROM json_each(?))`, the planner walks the audience's paging index
 * instead, reading every member on each page of a run: a run then grows with the audience, not with its changes.
 */
const MEMBERS_WITH_KEYS = `SELECT m.id FROM json_each(?3) AS j CROSS JOIN member_records AS m
  WHERE m.audience_ref = ${audienceRef('?1', '?2')} AND m.identifier_key = j.value`;

/** The members the rule changes: all of them for `remove_member`, those not marked yet for `keep_and_mark`. */
const changedBy = (rule: DeletionRule) =>
  rule === 'keep_and_mark' ? `${MEMBERS_WITH_KEYS} AND m.removed_from_source_at IS NULL` : MEMBERS_WITH_KEYS;

/**
 * The keys as the statements bind them, each once: two unflagged records with one email are one member, and a key
 * given twice would be counted twice in a run's `removed` and taken twice off the audience's member count.
 */
const keysJson = (keys: readonly string[]) => JSON.stringify([...new Set(keys)]);

/**
 * Members whose records left the CRM (deleted there, or their flag turned false), by identifier key, following the
 * sync's deletion rule: `remove_member` deletes them and lowers the audience's count by exactly the rows deleted;
 * `keep_and_mark` stamps them once. Statements for one transaction (a page's batch); running them again for the
 * same keys changes nothing.
 */
export function removeMembersStatements(db: D1Database, p: Leaving): D1PreparedStatement[] {
  if (p.keys.length === 0) return [];
  const keys = keysJson(p.keys);
  if (p.rule === 'keep_and_mark') {
    return [
      db
        // member_records, not the view: its UPDATE trigger rewrites every column, and the stored values are not this statement's.
        .prepare(`UPDATE member_records SET removed_from_source_at = ?4, updated_at = ${epochMsOf('?4')} WHERE id IN (${changedBy(p.rule)})`)
        .bind(p.workspaceId, p.audienceId, keys, p.now),
    ];
  }
  return [
    // Nothing is left to restore an undo into (as when one member is deleted by hand).
    db.prepare(`DELETE FROM member_snapshots WHERE workspace_id = ?1 AND member_id IN (${MEMBERS_WITH_KEYS})`).bind(p.workspaceId, p.audienceId, keys),
    db
      .prepare(`UPDATE audiences SET member_count = member_count - (SELECT count(*) FROM (${MEMBERS_WITH_KEYS})), updated_at = ?4 WHERE workspace_id = ?1 AND id = ?2`)
      .bind(p.workspaceId, p.audienceId, keys, p.now),
    db.prepare(`DELETE FROM member_records WHERE id IN (${MEMBERS_WITH_KEYS})`).bind(p.workspaceId, p.audienceId, keys),
  ];
}

/** Adds to a run's `removed` the members removeMembersStatements is about to change; placed right before them. */
export function countRemovedStatement(db: D1Database, p: Leaving, runId: string): D1PreparedStatement | null {
  if (p.keys.length === 0) return null;
  return db
    .prepare(`UPDATE sync_runs SET removed = removed + (SELECT count(*) FROM (${changedBy(p.rule)})) WHERE workspace_id = ?1 AND id = ?4`)
    .bind(p.workspaceId, p.audienceId, keysJson(p.keys), runId);
}

/**
 * The same in a transaction of its own, counted into the run in that transaction (a count kept apart from the
 * removal is lost when the Worker dies between the two, and a retry finds nothing left to count), with `then`
 * (statements that must commit with the removal, e.g. dropping the records' links). Returns how many members left
 * or were marked (0 when run again for the same keys).
 */
export async function removeMembers(db: D1Database, p: Leaving, runId: string, then: readonly D1PreparedStatement[] = []): Promise<number> {
  if (p.keys.length === 0) {
    if (then.length > 0) await db.batch([...then]);
    return 0;
  }
  const [counted] = await db.batch<{ n: number }>([
    db.prepare(`SELECT count(*) AS n FROM (${changedBy(p.rule)})`).bind(p.workspaceId, p.audienceId, keysJson(p.keys)),
    countRemovedStatement(db, p, runId) as D1PreparedStatement,
    ...removeMembersStatements(db, p),
    ...then,
  ]);
  return counted?.results[0]?.n ?? 0;
}

/** A record that is back in the CRM (or flagged true again) is no longer marked as removed. */
export function unmarkMembersStatement(db: D1Database, p: { workspaceId: string; audienceId: string; keys: readonly string[] }): D1PreparedStatement | null {
  if (p.keys.length === 0) return null;
  return db
    .prepare(`UPDATE member_records SET removed_from_source_at = NULL WHERE id IN (${MEMBERS_WITH_KEYS} AND m.removed_from_source_at IS NOT NULL)`)
    .bind(p.workspaceId, p.audienceId, keysJson(p.keys));
}

export async function unmarkMembers(db: D1Database, p: { workspaceId: string; audienceId: string; keys: readonly string[] }): Promise<void> {
  await unmarkMembersStatement(db, p)?.run();
}
