import type { DeletionRule } from '../../shared/schema/syncs.ts';
import { removeMembers } from './removeMembers.ts';

/** Which CRM table of which connection a sync reads, and the audience its records become members of. */
export type LinkScope = { workspaceId: string; connectionId: string; object: string; audienceId: string };

// A link is ~150 bytes of JSON: 1,000 per statement keeps the bound text far below D1's limits.
const LINKS_PER_STATEMENT = 1000;

/**
 * crm_record_links for the records a page stored: record id → the member's identifier key. A record already
 * linked moves to the member it is now (its key field changed in the CRM). Records without an id are skipped.
 */
export function linkRecordsStatements(
  db: D1Database,
  scope: LinkScope,
  links: readonly { recordId: string | null; memberKey: string }[],
  now: string,
): D1PreparedStatement[] {
  const pairs = links.filter((l) => l.recordId).map((l) => [l.recordId, l.memberKey]);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < pairs.length; i += LINKS_PER_STATEMENT) {
    statements.push(
      db
        .prepare(
          `INSERT INTO crm_record_links (workspace_id, connection_id, object, record_id, audience_id, member_key, linked_at)
           SELECT ?1, ?2, ?3, json_extract(value, '$[0]'), ?4, json_extract(value, '$[1]'), ?5 FROM json_each(?6) WHERE true
           ON CONFLICT (workspace_id, connection_id, object, record_id, audience_id) DO UPDATE SET
             member_key = excluded.member_key, linked_at = excluded.linked_at`,
        )
        .bind(scope.workspaceId, scope.connectionId, scope.object, scope.audienceId, now, JSON.stringify(pairs.slice(i, i + LINKS_PER_STATEMENT))),
    );
  }
  return statements;
}

/**
 * Records deleted in the CRM leave the audience by the sync's deletion rule, found by their id alone (Dataverse
 * says nothing else about a deleted record). A member another record still links to stays (two records with one
 * email are one member). Members first, links after: a step retried after the members left finds the links still
 * there and removes nothing twice (removeMembers is idempotent). Returns how many members left or were marked.
 */
export async function removeDeletedRecords(
  db: D1Database,
  scope: LinkScope,
  recordIds: readonly string[],
  rule: DeletionRule,
  now: string,
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
    removed += await removeMembers(db, { workspaceId: scope.workspaceId, audienceId: scope.audienceId, keys: results.map((r) => r.member_key), rule, now });
    await db
      .prepare(
        `DELETE FROM crm_record_links WHERE workspace_id = ? AND connection_id = ? AND object = ? AND audience_id = ? AND record_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(scope.workspaceId, scope.connectionId, scope.object, scope.audienceId, ids)
      .run();
  }
  return removed;
}
