import type { Member } from '../../shared/schema/audiences.ts';
import { audienceRef, isoOf, namedJson, toMember, type MemberRow } from './members.ts';

/** Narrowing of a member page: an identifier key (already normalised and hashed as on import) and/or one plain field. */
export type MemberWhere = { identifierKey?: string; field?: { key: string; value: string } };

/**
 * A keyset page of members matching `where`. The identifier goes through the unique index; a field filter reads
 * the audience's members in id order (non-sensitive attributes are JSON), which stays a page-sized read for common
 * values and is bounded by the audience for rare ones.
 */
export async function searchMembersPage(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  where: MemberWhere,
  afterId: number,
  limit: number,
): Promise<{ members: Member[]; nextCursor: number | null }> {
  const conditions = [`audience_ref = ${audienceRef('?1', '?2')}`, 'id > ?3'];
  const params: (string | number)[] = [workspaceId, audienceId, afterId, limit];
  if (where.identifierKey !== undefined) {
    params.push(where.identifierKey);
    conditions.push(`identifier_key = ?${params.length}`);
  }
  if (where.field) {
    // Stored under the field's number (members.ts namedJson): the path is built from it, the name passed as a parameter.
    // A field with no number has no stored value, and a NULL path matches nothing.
    params.push(where.field.key, where.field.value);
    // A value equal to the member's identifier_key is stored as 0 (members.ts namedJson); values are text, so 0 is never one.
    // One read of the stored value a member: the typed value, or the marker 0 and then the member's key.
    const stored = `json_extract(attributes, (SELECT '$."' || ref || '"' FROM member_field_refs WHERE workspace_id = ?1 AND key = ?${params.length - 1}))`;
    conditions.push(`(CASE ${stored} WHEN ?${params.length} THEN 1 WHEN 0 THEN identifier_key = ?${params.length} ELSE 0 END)`);
  }
  const { results } = await db
    .prepare(
      `SELECT id, identifier_key, ${namedJson('attributes', '?1', 'identifier_key')} AS attributes, ${namedJson('hashes', '?1', 'identifier_key')} AS hashes, ${isoOf('updated_at')} AS updated_at
       FROM member_records WHERE ${conditions.join(' AND ')} ORDER BY id LIMIT ?4`,
    )
    .bind(...params)
    .all<MemberRow>();
  const last = results.at(-1);
  return { members: results.map(toMember), nextCursor: last && results.length === limit ? last.id : null };
}

/** The identifier of the audience as its newest import planned it (type, sensitivity, default country). */
export async function audienceIdentifier(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
): Promise<{ plan: string } | null> {
  return db
    .prepare('SELECT plan FROM imports WHERE workspace_id = ? AND audience_id = ? ORDER BY created_at DESC, id LIMIT 1')
    .bind(workspaceId, audienceId)
    .first<{ plan: string }>();
}
