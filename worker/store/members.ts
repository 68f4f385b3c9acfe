import type { Member } from '../../shared/schema/audiences.ts';
import { SENSITIVE_MASK } from '../../shared/fields/sensitiveMask.ts';
import { jsonChunks } from './jsonChunks.ts';
import type { MemberValues } from './packedColumns.ts';
import { MemberDecoder, type StoredMemberColumns } from './storedMembers.ts';

/** What a batch writes for one identifier: normalized plain attributes, and per sensitive field its hash and ciphertext. */
export type MemberWrite = {
  key: string;
  attributes: Record<string, string>;
  hashes: Record<string, string>;
  sealed: Record<string, string>;
};

/*
 * Members are stored in member_records (migrations/0140_compact_members.sql): the audience and the imports named by
 * their integer `ref`, times as epoch milliseconds. These fragments translate at the edge of each statement, so the
 * functions here keep taking and giving text ids and ISO times. Resolving the audience's ref through its workspace
 * keeps every statement scoped to the workspace: an audience of another workspace resolves to NULL, matching nothing.
 */
export const audienceRef = (workspaceExpr: string, audienceExpr: string) =>
  `(SELECT ref FROM audiences WHERE id = ${audienceExpr} AND workspace_id = ${workspaceExpr})`;
export const importRef = (workspaceExpr: string, importExpr: string) => `(SELECT ref FROM imports WHERE id = ${importExpr} AND workspace_id = ${workspaceExpr})`;
export const importIdOf = (refExpr: string) => `(SELECT id FROM imports WHERE ref = ${refExpr})`;
/** Epoch milliseconds of an ISO time (NULL for anything else, which the NOT NULL columns refuse). */
export const epochMsOf = (isoExpr: string) => `CAST(round(unixepoch(${isoExpr}, 'subsec') * 1000) AS INTEGER)`;
/** The ISO time (as Date.toISOString writes it) of epoch milliseconds: exact both ways. */
export const isoOf = (msExpr: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${msExpr} / 1000.0, 'unixepoch')`;

/**
 * A stored member's attributes, hashes and sealed values are JSON objects keyed by the field's number in its
 * workspace (member_field_refs, migrations/0190_member_field_refs.sql), not by the field's name. The Worker writes
 * the numbered form itself (encodedFields), so inserts and json_patch merges stay as cheap as with names; reads
 * decode at the edge of their SELECT with this fragment (the `members` view does the same), so the functions here
 * and their callers keep working with name-keyed JSON text. A number is given once and never reused or removed.
 *
 * A value equal to the member's identifier_key is stored once: as the JSON number 0 (values are always strings), in
 * `attributes` (a plain identifier's own field) and `hashes` (a sensitive identifier's keyed hash, 64 characters).
 * Whatever reads a stored column decodes with the member's key; whatever copies one elsewhere (snapshots) writes the
 * marker out (keyValuesWrittenOut), so a later change of the key (sealing in place re-keys) cannot change a value.
 */
export const namedJson = (columnExpr: string, workspaceExpr: string, identifierKeyExpr: string) =>
  `(SELECT json_group_object(n.key, CASE WHEN d.type = 'integer' THEN ${identifierKeyExpr} ELSE d.value END)
    FROM json_each(${columnExpr}) AS d CROSS JOIN member_field_refs AS n
    WHERE n.workspace_id = ${workspaceExpr} AND n.ref = CAST(d.key AS INTEGER))`;

/** A field name's number in one workspace. */
export type FieldRefs = ReadonlyMap<string, number>;

// Numbers never change once given, so an isolate keeps what it has read; fieldRefsGuardStatement makes a write fail
// (and forgetFieldRefs drop this) should a kept number ever not be the stored one.
const knownFieldRefs = new Map<string, Map<string, number>>();

/**
 * The numbers of these field names in the workspace, giving the next free numbers to names that have none (one D1
 * batch, only when a name is not known in this isolate yet, or always with `fresh`: for a writer that sends no
 * fieldRefsGuardStatement).
 */
export async function fieldRefs(db: D1Database, workspaceId: string, names: Iterable<string>, options: { fresh?: boolean } = {}): Promise<FieldRefs> {
  const wanted = [...new Set(names)];
  const known = knownFieldRefs.get(workspaceId);
  if (!options.fresh && known && wanted.every((n) => known.has(n))) return known;
  const json = JSON.stringify(wanted);
  const [, read] = await db.batch<{ key: string; ref: number }>([
    db
      .prepare(
        `INSERT INTO member_field_refs (workspace_id, ref, key)
         SELECT ?1, (SELECT coalesce(max(ref), 0) FROM member_field_refs WHERE workspace_id = ?1) + row_number() OVER (ORDER BY k.value), k.value
         FROM (SELECT DISTINCT value FROM json_each(?2)) AS k
         WHERE NOT EXISTS (SELECT 1 FROM member_field_refs AS r WHERE r.workspace_id = ?1 AND r.key = k.value)`,
      )
      .bind(workspaceId, json),
    db.prepare('SELECT key, ref FROM member_field_refs WHERE workspace_id = ?1').bind(workspaceId),
  ]);
  const refs = new Map((read?.results ?? []).map((r) => [r.key, r.ref]));
  if (knownFieldRefs.size >= 256) knownFieldRefs.clear();
  knownFieldRefs.set(workspaceId, refs);
  return refs;
}

/** After a write failed: read the workspace's numbers again next time rather than trust the kept ones. */
export function forgetFieldRefs(workspaceId: string): void {
  knownFieldRefs.delete(workspaceId);
}

/**
 * In a write's transaction: the (name, number) pairs its JSON uses are the stored ones. A number or a name stored
 * with another partner violates a key and aborts the transaction (the writer then reads the numbers again); a pair
 * not stored yet is stored.
 */
export function fieldRefsGuardStatement(db: D1Database, workspaceId: string, refs: FieldRefs, names: Iterable<string>): D1PreparedStatement {
  const pairs = [...new Set(names)].map((n) => [n, refs.get(n)]);
  return db
    .prepare(
      `INSERT INTO member_field_refs (workspace_id, ref, key)
       SELECT ?1, j.value ->> 1, j.value ->> 0 FROM json_each(?2) AS j
       WHERE NOT EXISTS (SELECT 1 FROM member_field_refs AS r WHERE r.workspace_id = ?1 AND r.ref = j.value ->> 1 AND r.key = j.value ->> 0)`,
    )
    .bind(workspaceId, JSON.stringify(pairs));
}

/**
 * Values by field name → the stored form, keyed by field number, a value equal to `identifierKey` as 0 (see
 * namedJson); a name without a number is a bug, not a value to drop.
 */
export function encodedFields(values: Record<string, string>, refs: FieldRefs, identifierKey: string | null): Record<number, string | 0> {
  const out: Record<number, string | 0> = {};
  for (const name in values) {
    const ref = refs.get(name);
    if (ref === undefined) throw new Error(`field "${name}" has no number in member_field_refs`);
    const value = values[name] as string;
    out[ref] = value === identifierKey ? 0 : value;
  }
  return out;
}

/** A stored column (of the member aliased `m`) with its key markers written out: what snapshots keep. */
export const keyValuesWrittenOut = (column: string) =>
  `(SELECT json_group_object(d.key, CASE WHEN d.type = 'integer' THEN m.identifier_key ELSE d.value END) FROM json_each(m.${column}) AS d)`;

/** The field names a batch of writes stores values under. */
export function writtenFieldNames(members: readonly { attributes: Record<string, string>; hashes: Record<string, string>; sealed: Record<string, string> }[]): Set<string> {
  const names = new Set<string>();
  for (const m of members) {
    for (const n in m.attributes) names.add(n);
    for (const n in m.hashes) names.add(n);
    for (const n in m.sealed) names.add(n);
  }
  return names;
}

/** The imports that wrote a member: the one that created it, the one before the last writer, the last writer. */
export type MemberWriters = readonly (string | null)[];

/**
 * A scalar subquery: `[[identifier_key, [created, previous, updated import ids]], …]` as JSON for the keys (a JSON
 * array param) that already have a member in the audience. CROSS JOIN fixes the loop order (SQLite never
 * reorders it): one probe of the unique index per key. Written as `IN (SELECT … json_each)`, the planner chose
 * members_by_audience_page instead and read every member of the audience on each batch, so a batch got slower as
 * the audience grew (≈1 ms per 2,000 members already there).
 */
export function lastWritersSubquery(workspaceParam: string, audienceExpr: string, keysParam: string): string {
  return `(SELECT json_group_array(json_array(m.identifier_key,
       json_array(${importIdOf('m.created_import')}, ${importIdOf('m.previous_import')}, ${importIdOf('m.updated_import')})))
     FROM json_each(${keysParam}) AS j CROSS JOIN member_records AS m
     WHERE m.audience_ref = ${audienceRef(workspaceParam, audienceExpr)} AND m.identifier_key = j.value)`;
}

/** Reads lastWritersSubquery's answer: the imports that wrote each identifier that already has a member. */
export function parseLastWriters(json: string): Map<string, MemberWriters> {
  return new Map(JSON.parse(json) as [string, MemberWriters][]);
}

export async function existingMembers(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  keys: readonly string[],
): Promise<Map<string, MemberWriters>> {
  if (keys.length === 0) return new Map();
  const row = await db
    .prepare(`SELECT ${lastWritersSubquery('?1', '?2', '?3')} AS last_writers`)
    .bind(workspaceId, audienceId, JSON.stringify(keys))
    .first<{ last_writers: string }>();
  return parseLastWriters(row?.last_writers ?? '[]');
}

const toItem = (refs: FieldRefs) => (m: MemberWrite) => [
  m.key,
  encodedFields(m.attributes, refs, m.key),
  encodedFields(m.hashes, refs, m.key),
  encodedFields(m.sealed, refs, null),
];

/** A written member's columns from ?1 workspace, ?2 audience, ?3 import, ?4 now and `j` (a toItem array). */
const WRITER_VALUES = `${audienceRef('?1', '?2')}, j.value ->> 0, j.value -> 1, j.value -> 2, j.value -> 3, ${importRef('?1', '?3')}, ${importRef('?1', '?3')},
           ${epochMsOf('?4')}, ${epochMsOf('?4')}`;

/**
 * New members, as a plain INSERT on purpose: if another request created one of these identifiers since the
 * lookup, the unique index aborts the batch transaction and the batch is classified again, instead of silently
 * counting an update as an insert.
 */
export function insertMembersStatements(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  importId: string,
  now: string,
  members: readonly MemberWrite[],
  refs: FieldRefs,
): D1PreparedStatement[] {
  return jsonChunks(members.map(toItem(refs))).map((json) =>
    db
      .prepare(
        `INSERT INTO member_records (audience_ref, identifier_key, attributes, hashes, sealed, created_import, updated_import,
           created_at, updated_at)
         SELECT ${WRITER_VALUES} FROM json_each(?5) AS j`,
      )
      .bind(workspaceId, audienceId, importId, now, json),
  );
}

/** Existing members: values present in the row overwrite, values absent from it are kept (JSON merge patch). */
export function mergeMembersStatements(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  importId: string,
  now: string,
  members: readonly MemberWrite[],
  refs: FieldRefs,
): D1PreparedStatement[] {
  return jsonChunks(members.map(toItem(refs))).map((json) =>
    db
      .prepare(
        // "WHERE true": without it SQLite would read ON CONFLICT as a join constraint of the SELECT.
        `INSERT INTO member_records (audience_ref, identifier_key, attributes, hashes, sealed, created_import, updated_import,
           created_at, updated_at)
         SELECT ${WRITER_VALUES} FROM json_each(?5) AS j WHERE true
         ON CONFLICT (audience_ref, identifier_key) DO UPDATE SET
           attributes = json_patch(member_records.attributes, excluded.attributes),
           hashes = json_patch(member_records.hashes, excluded.hashes),
           sealed = json_patch(member_records.sealed, excluded.sealed),
           -- Another import writing in between must not make this one forget the member was its own.
           previous_import = CASE WHEN member_records.updated_import IS excluded.updated_import THEN member_records.previous_import
             ELSE member_records.updated_import END,
           updated_import = excluded.updated_import,
           updated_at = excluded.updated_at`,
      )
      .bind(workspaceId, audienceId, importId, now, json),
  );
}

/** A member as the member page reads it: the stored value columns as they are (JSON text or packed BLOBs). */
export type MemberRow = StoredMemberColumns & { updated_at: string };

/** A member for the API from its row and its decoded values (MemberDecoder): sensitive values only masked. */
export function toMember(r: MemberRow, values: MemberValues): Member {
  const identifierIsHash = Object.values(values.hashes).includes(r.identifier_key);
  return {
    id: String(r.id),
    identifier: identifierIsHash ? SENSITIVE_MASK : r.identifier_key,
    attributes: values.attributes,
    sensitive: Object.fromEntries(Object.keys(values.hashes).map((k) => [k, SENSITIVE_MASK])),
    updatedAt: r.updated_at,
  };
}

/**
 * One page of members by ascending id (keyset, so deep pages cost the same as the first). When the identifier was
 * sensitive, identifier_key is one of the member's hashes and is masked like every other sensitive value. The value
 * columns are decoded in TypeScript (either stored form).
 */
export async function membersPage(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  afterId: number,
  limit: number,
): Promise<{ members: Member[]; nextCursor: number | null }> {
  const { results } = await db
    .prepare(
      `SELECT id, identifier_key, attributes, hashes, sealed, ${isoOf('updated_at')} AS updated_at FROM member_records
       WHERE audience_ref = ${audienceRef('?1', '?2')} AND id > ?3 ORDER BY id LIMIT ?4`,
    )
    .bind(workspaceId, audienceId, afterId, limit)
    .all<MemberRow>();
  const decoded = await new MemberDecoder(db, workspaceId).decode(results);
  const members = results.map((r, i) => toMember(r, decoded[i] as MemberValues));
  const last = results.at(-1);
  return { members, nextCursor: last && results.length === limit ? last.id : null };
}

/** A member still holding plain values of fields that are sensitive now (see sealStoredValues). */
export type PlainMemberRow = { id: number; identifier_key: string; attributes: string; hashes: string; sealed: string; updated_at: string };

/** The next members (by id) holding a plain value of any of `fields`. */
export async function membersWithPlainValues(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  fields: readonly string[],
  afterId: number,
  limit: number,
): Promise<PlainMemberRow[]> {
  const { results } = await db
    .prepare(
      `SELECT id, identifier_key, ${namedJson('m.attributes', '?1', 'm.identifier_key')} AS attributes, ${namedJson('m.hashes', '?1', 'm.identifier_key')} AS hashes,
         ${namedJson('m.sealed', '?1', 'm.identifier_key')} AS sealed, ${isoOf('updated_at')} AS updated_at FROM member_records AS m
       WHERE audience_ref = ${audienceRef('?1', '?2')} AND id > ?3
         AND EXISTS (SELECT 1 FROM json_each(m.attributes) AS a WHERE CAST(a.key AS INTEGER) IN
           (SELECT ref FROM member_field_refs WHERE workspace_id = ?1 AND key IN (SELECT value FROM json_each(?4))))
       ORDER BY id LIMIT ?5`,
    )
    .bind(workspaceId, audienceId, afterId, JSON.stringify(fields), limit)
    .all<PlainMemberRow>();
  return results;
}

/** Members of the audience with these keys (for merging two members that turn out to be one person). */
export async function membersByKeys(db: D1Database, workspaceId: string, audienceId: string, keys: readonly string[]): Promise<PlainMemberRow[]> {
  if (keys.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT m.id, m.identifier_key, ${namedJson('m.attributes', '?1', 'm.identifier_key')} AS attributes, ${namedJson('m.hashes', '?1', 'm.identifier_key')} AS hashes,
         ${namedJson('m.sealed', '?1', 'm.identifier_key')} AS sealed, ${isoOf('m.updated_at')} AS updated_at
       FROM json_each(?3) AS j CROSS JOIN member_records AS m
       WHERE m.audience_ref = ${audienceRef('?1', '?2')} AND m.identifier_key = j.value`,
    )
    .bind(workspaceId, audienceId, JSON.stringify(keys))
    .all<PlainMemberRow>();
  return results;
}

/**
 * One member rewritten whole: its key, plain attributes, hashes and ciphertexts (sealing in place, merging), as
 * read at `updatedAt`: a member another request wrote since is left alone (the statement's change count says so)
 * rather than losing that write.
 */
export type MemberRewrite = {
  id: number;
  updatedAt: string;
  key: string;
  attributes: Record<string, string>;
  hashes: Record<string, string>;
  sealed: Record<string, string>;
};

export function rewriteMembersStatements(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  rewrites: readonly MemberRewrite[],
  refs: FieldRefs,
): D1PreparedStatement[] {
  return jsonChunks(
    rewrites.map((r) => [r.id, r.key, encodedFields(r.attributes, refs, r.key), encodedFields(r.hashes, refs, r.key), encodedFields(r.sealed, refs, null), r.updatedAt]),
  ).map((json) =>
    db
      .prepare(
        `UPDATE member_records SET identifier_key = u.value ->> 1, attributes = u.value -> 2, hashes = u.value -> 3, sealed = u.value -> 4
         FROM json_each(?3) AS u
         WHERE member_records.id = u.value ->> 0 AND member_records.updated_at = ${epochMsOf('u.value ->> 5')}
           AND member_records.audience_ref = ${audienceRef('?1', '?2')}`,
      )
      .bind(workspaceId, audienceId, json),
  );
}

export function deleteMembersStatement(db: D1Database, workspaceId: string, audienceId: string, ids: readonly number[]): D1PreparedStatement {
  return db
    .prepare(`DELETE FROM member_records WHERE audience_ref = ${audienceRef('?1', '?2')} AND id IN (SELECT value FROM json_each(?3))`)
    .bind(workspaceId, audienceId, JSON.stringify(ids));
}

/**
 * Number → name of every field a workspace's members are stored under (member_field_refs), for decoding stored
 * columns in TypeScript (packedColumns.ts decodeMemberColumns). Read once per request or stream: a number is never
 * reused or renamed, so what a reader has read stays right while it reads.
 */
export async function fieldNamesByRef(db: D1Database, workspaceId: string): Promise<Map<number, string>> {
  const { results } = await db.prepare('SELECT ref, key FROM member_field_refs WHERE workspace_id = ?').bind(workspaceId).all<{ ref: number; key: string }>();
  return new Map(results.map((r) => [r.ref, r.key]));
}
