import type { DeletionRule } from '../../shared/schema/syncs.ts';
import { removeMembers } from './removeMembers.ts';

/** Which CRM table of which connection a sync reads, and the audience its records become members of. */
export type LinkScope = { workspaceId: string; connectionId: string; object: string; audienceId: string };

// A link is ~150 bytes of JSON: 1,000 per statement keeps the bound text far below D1's limits.
const LINKS_PER_STATEMENT = 1000;

/**
 * crm_record_links for the records a page stored: record id → the member's identifier key, seen by `runId`. A
 * record already linked moves to the member it is now (its key field changed in the CRM). Records without an id are
 * skipped.
 */
export function linkRecordsStatements(
  db: D1Database,
  scope: LinkScope,
  links: readonly { recordId: string | null; memberKey: string }[],
  now: string,
  runId: string,
): D1PreparedStatement[] {
  const pairs = links.filter((l) => l.recordId).map((l) => [l.recordId, l.memberKey]);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < pairs.length; i += LINKS_PER_STATEMENT) {
    statements.push(
      db
        .prepare(
          `INSERT INTO crm_record_links (workspace_id, connection_id, object, record_id, audience_id, member_key, linked_at, seen_by_run)
           SELECT ?1, ?2, ?3, json_extract(value, '$[0]'), ?4, json_extract(value, '$[1]'), ?5, ?7 FROM json_each(?6) WHERE true
           ON CONFLICT (workspace_id, connection_id, object, record_id, audience_id) DO UPDATE SET
             member_key = excluded.member_key, linked_at = excluded.linked_at, seen_by_run = excluded.seen_by_run`,
        )
        .bind(scope.workspaceId, scope.connectionId, scope.object, scope.audienceId, now, JSON.stringify(pairs.slice(i, i + LINKS_PER_STATEMENT)), runId),
    );
  }
  return statements;
}

/**
 * Marks the links of records the CRM still has (by id) as seen by `runId`, so the run's sweep keeps their members:
 * records a page pulled but did not store (a row rejected for a value) and the pages of the reconcile's id pull.
 * Links only a push wrote (seen_by_run NULL) stay unmarked: a sweep never looks at them.
 */
export function markSeenStatements(db: D1Database, scope: LinkScope, recordIds: readonly (string | null)[], runId: string): D1PreparedStatement[] {
  const ids = recordIds.filter((id): id is string => typeof id === 'string' && id !== '');
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < ids.length; i += LINKS_PER_STATEMENT) {
    statements.push(
      db
        .prepare(
          `UPDATE crm_record_links SET seen_by_run = ?5
           WHERE workspace_id = ?1 AND connection_id = ?2 AND object = ?3 AND audience_id = ?4 AND seen_by_run IS NOT NULL
             AND record_id IN (SELECT value FROM json_each(?6))`,
        )
        .bind(scope.workspaceId, scope.connectionId, scope.object, scope.audienceId, runId, JSON.stringify(ids.slice(i, i + LINKS_PER_STATEMENT))),
    );
  }
  return statements;
}

/**
 * Up to `limit` records a sync pulled once whose links `runId` did not see (the record is gone from the CRM or no
 * longer matches the sync's selection). Links only a push wrote are never among them.
 */
export async function unseenRecords(db: D1Database, scope: LinkScope, runId: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT record_id FROM crm_record_links
       WHERE workspace_id = ? AND connection_id = ? AND object = ? AND audience_id = ? AND seen_by_run IS NOT NULL AND seen_by_run != ? LIMIT ?`,
    )
    .bind(scope.workspaceId, scope.connectionId, scope.object, scope.audienceId, runId, limit)
    .all<{ record_id: string }>();
  return results.map((r) => r.record_id);
}

/**
 * Records deleted in the CRM (or gone from the sync's selection) leave the audience by the sync's deletion rule,
 * found by their id alone (Dataverse says nothing else about a deleted record). A member another record still links
 * to stays (two records with one email are one member). Per chunk of ids, one transaction: the members leave, the
 * run's `removed` counts them, and the links go; so a step retried after a chunk committed finds no links left and
 * counts nothing twice, and one retried before finds everything as it was. Returns how many members left or were
 * marked.
 */
export async function removeDeletedRecords(
  db: D1Database,
  scope: LinkScope,
  recordIds: readonly string[],
  rule: DeletionRule,
  now: string,
  runId: string,
): Promise<number> {
  let removed = 0;
  for (let i = 0; i < recordIds.length; i += LINKS_PER_STATEMENT) {
    const ids = JSON.stringify(recordIds.slice(i, i + LINKS_PER_STATEMENT));
    const { results } = await db
      .prepare(
        `SELECT DISTINCT l.member_key FROM crm_record_links l
         WHERE l.workspace_id = ?1 AND l.connection_id = ?2 AND l.object = ?3 AND l.audience_id = ?4 AND l.record_id IN (SELECT value FROM json_each(?5))
           AND NOT EXISTS (SELECT 1 FROM crm_record_links o WHERE o.workspace_id = ?1 AND o.audience_id = ?4 AND o.member_key = l.member_key
             AND NOT (o.connection_id = ?2 AND o.object = ?3 AND o.record_id IN (SELECT value FROM json_each(?5))))`,
      )
      .bind(scope.workspaceId, scope.connectionId, scope.object, scope.audienceId, ids)
      .all<{ member_key: string }>();
    const unlink = db
      .prepare(
        `DELETE FROM crm_record_links WHERE workspace_id = ? AND connection_id = ? AND object = ? AND audience_id = ? AND record_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(scope.workspaceId, scope.connectionId, scope.object, scope.audienceId, ids);
    const leaving = { workspaceId: scope.workspaceId, audienceId: scope.audienceId, keys: results.map((r) => r.member_key), rule, now };
    removed += await removeMembers(db, leaving, runId, [unlink]);
  }
  return removed;
}
