import type { Member } from '../../shared/schema/audiences.ts';
import { audienceRef, isoOf, toMember, type MemberRow } from './members.ts';
import { PackWriter, type MemberValues } from './packedColumns.ts';
import { MemberDecoder } from './storedMembers.ts';

/**
 * A filter on one plain field's stored value, for SQL and TypeScript together: SQL cannot read a packed column
 * (packedColumns.ts), so `condition` keeps every member that COULD hold the value (exactly those for JSON rows, by
 * json_extract as before; for packed rows those whose bytes contain the field's entry with this value, or its
 * identifier marker when the value is the member's identifier_key — bytes that may also straddle two entries), and
 * `holds` decides on the decoded values. `params` are bound at the placeholders `condition` was built with.
 */
export type FieldValueFilter = { condition: string; params: string[]; holds: (values: MemberValues) => boolean };

/**
 * The filter of `field` = `value` over member_records columns (unqualified names), its parameters numbered from
 * ?`firstParam`; null when no member can hold the field (it has no number in the workspace).
 */
export async function fieldValueFilter(db: D1Database, workspaceId: string, field: { key: string; value: string }, firstParam: number): Promise<FieldValueFilter | null> {
  const found = await db.prepare('SELECT ref FROM member_field_refs WHERE workspace_id = ? AND key = ?').bind(workspaceId, field.key).first<{ ref: number }>();
  if (!found) return null;
  const w = new PackWriter();
  w.varint(found.ref);
  w.utf8Entry(field.value);
  const entry = w.toHex();
  w.reset().varint(found.ref);
  w.varint(1);
  const marker = w.toHex();
  const [path, value, entryParam, markerParam] = [0, 1, 2, 3].map((n) => `?${firstParam + n}`);
  // A value equal to the member's identifier_key is stored as the marker (JSON: the number 0, packed: length 1).
  // CASE, not OR: json_extract must never see a BLOB (SQLite would read it as JSONB and fail).
  const condition = `(CASE WHEN typeof(attributes) = 'blob'
      THEN instr(attributes, unhex(${entryParam})) > 0 OR (identifier_key = ${value} AND instr(attributes, unhex(${markerParam})) > 0)
      ELSE (CASE json_extract(attributes, ${path}) WHEN ${value} THEN 1 WHEN 0 THEN identifier_key = ${value} ELSE 0 END) END)`;
  return { condition, params: [`$."${found.ref}"`, field.value, entry, marker], holds: (values) => values.attributes[field.key] === field.value };
}

/** Narrowing of a member page: an identifier key (already normalised and hashed as on import) and/or one plain field. */
export type MemberWhere = { identifierKey?: string; field?: { key: string; value: string } };

/**
 * A keyset page of members matching `where`. The identifier goes through the unique index; a field filter reads
 * the audience's members in id order (fieldValueFilter: SQL keeps the candidates, TypeScript checks them), which
 * stays a page-sized read for common values and is bounded by the audience for rare ones. A page may hold fewer
 * than `limit` members when candidates were dropped, but `nextCursor` follows the last member SQL read, so the next
 * page starts after it and no match is skipped.
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
  let filter: FieldValueFilter | null = null;
  if (where.field) {
    filter = await fieldValueFilter(db, workspaceId, where.field, params.length + 1);
    if (!filter) return { members: [], nextCursor: null };
    params.push(...filter.params);
    conditions.push(filter.condition);
  }
  const { results } = await db
    .prepare(`SELECT id, identifier_key, attributes, hashes, sealed, ${isoOf('updated_at')} AS updated_at FROM member_records WHERE ${conditions.join(' AND ')} ORDER BY id LIMIT ?4`)
    .bind(...params)
    .all<MemberRow>();
  const decoded = await new MemberDecoder(db, workspaceId).decode(results);
  const members: Member[] = [];
  results.forEach((r, i) => {
    const values = decoded[i] as MemberValues;
    if (!filter || filter.holds(values)) members.push(toMember(r, values));
  });
  const last = results.at(-1);
  return { members, nextCursor: last && results.length === limit ? last.id : null };
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
