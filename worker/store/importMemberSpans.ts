import { audienceRef, importRef } from './members.ts';

/*
 * The members an import created are found by the span of ids it created, kept on its row
 * (imports.first_member_id / last_member_id, NULL: none; migrations/0210_import_member_spans.sql), instead of an
 * index on created_import that every member paid for. member_records.id is a rowid without AUTOINCREMENT, so a
 * batch's new members get ids above every id in the table (max + 1, …), and D1 runs one transaction at a time: the
 * two statements below, around the batch's member writes in its own transaction, see exactly what it created,
 * whatever retries, races or batches in flight did before. The span only bounds the scan: once the newest members
 * are deleted (an undo, a removal) their ids come back for the next writer, so another import's members can lie
 * inside a span — every query also checks created_import.
 */

/**
 * Before the batch's member writes: the span starts no higher than the id the next new member gets. Set even if
 * the batch then creates nobody (closeMemberSpanStatement puts a span that created nothing back to NULL). Only the
 * insert creates members (a merge is a guarded UPDATE: its member deleted since the read aborts the batch).
 */
export function openMemberSpanStatement(db: D1Database, workspaceId: string, importId: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE imports SET first_member_id = min(coalesce(first_member_id, n.next_id), n.next_id)
       FROM (SELECT coalesce(max(id), 0) + 1 AS next_id FROM member_records) AS n
       WHERE imports.workspace_id = ?1 AND imports.id = ?2`,
    )
    .bind(workspaceId, importId);
}

/**
 * After the batch's member writes: when the newest member in the table is this import's, the batch created members
 * (ids from where openMemberSpanStatement started to this one) and the span ends there; when it created none and
 * never had, the span is NULL again.
 */
export function closeMemberSpanStatement(db: D1Database, workspaceId: string, importId: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE imports SET
         last_member_id = CASE WHEN t.top_import = imports.ref THEN max(coalesce(imports.last_member_id, t.top_id), t.top_id)
           ELSE imports.last_member_id END,
         first_member_id = CASE WHEN t.top_import = imports.ref OR imports.last_member_id IS NOT NULL THEN imports.first_member_id END
       FROM (SELECT (SELECT max(id) FROM member_records) AS top_id,
                    (SELECT created_import FROM member_records WHERE id = (SELECT max(id) FROM member_records)) AS top_import) AS t
       WHERE imports.workspace_id = ?1 AND imports.id = ?2`,
    )
    .bind(workspaceId, importId);
}

/**
 * SQL condition on member_records: the members the import created, in the audience. Bound parameters: ?1
 * workspace, ?2 audience, ?3 import. SQLite reads it as a range of the audience's paging index
 * (member_records_by_audience: audience_ref, then rowid) between the span's ends; a NULL span matches nothing.
 */
export const CREATED_BY_IMPORT = `audience_ref = ${audienceRef('?1', '?2')}
  AND id BETWEEN (SELECT first_member_id FROM imports WHERE id = ?3 AND workspace_id = ?1)
    AND (SELECT last_member_id FROM imports WHERE id = ?3 AND workspace_id = ?1)
  AND created_import = ${importRef('?1', '?3')}`;
