import type { Member } from '../../shared/schema/audiences.ts';
import { SENSITIVE_MASK } from '../../shared/fields/sensitiveMask.ts';
import { countedJsonChunks, jsonChunks } from './jsonChunks.ts';
import {
  hexToBytes,
  mergePackedColumnsHex,
  type PackedColumns,
  packedColumnsHex,
  type PackedHexOrStored,
  PackWriter,
  snapshotPackedColumnsHex,
  type MemberValues,
  type StoredColumn,
} from './packedColumns.ts';
import { MemberDecoder, type StoredMemberColumns } from './storedMembers.ts';

/**
 * What a batch writes for one identifier: normalized plain attributes, per sensitive field its keyed hash (full hex,
 * stored truncated to 128 bits: packedColumns.ts), and its sealed values as envelopes (one server envelope per member
 * and write, one private envelope per privacy-mode cell), by field name.
 */
export type MemberWrite = MemberValues & { key: string };

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

/*
 * A stored member's attributes, hashes and sealed values name fields by their number in the workspace
 * (member_field_refs, migrations/0190_member_field_refs.sql; a number is given once, never reused or removed). The
 * Worker writes them packed (packedColumns.ts: BLOBs, a value equal to identifier_key stored once as a marker);
 * members written before hold 0190's numbered JSON text. Readers decode both in TypeScript (storedMembers.ts), and
 * whatever copies a member's values elsewhere (snapshots) writes the marker out: sealing in place may re-key it.
 */

/** A field name's number in one workspace. */
export type FieldRefs = ReadonlyMap<string, number>;

// Numbers never change once given, so an isolate keeps what it has read; fieldRefsGuardStatement makes a write fail
// (and forgetFieldRefs drop this) should a kept number ever not be the stored one.
const knownFieldRefs = new Map<string, Map<string, number>>();

/** Kept for the isolate's later batches; a bounded number of workspaces, dropped all at once when full. */
function keepFieldRefs(workspaceId: string, refs: Map<string, number>): void {
  if (knownFieldRefs.size >= 256) knownFieldRefs.clear();
  knownFieldRefs.set(workspaceId, refs);
}

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
  keepFieldRefs(workspaceId, refs);
  return refs;
}

/** Every number of the workspace, read now (a decoder meeting a number it does not know); kept for later writes too. */
export async function readFieldRefs(db: D1Database, workspaceId: string): Promise<FieldRefs> {
  const { results } = await db.prepare('SELECT key, ref FROM member_field_refs WHERE workspace_id = ?1').bind(workspaceId).all<{ key: string; ref: number }>();
  const refs = new Map(results.map((r) => [r.key, r.ref]));
  keepFieldRefs(workspaceId, refs);
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

/** The field names a batch of writes stores values under. */
export function writtenFieldNames(members: readonly MemberValues[]): Set<string> {
  const names = new Set<string>();
  for (const m of members) {
    for (const n in m.attributes) names.add(n);
    for (const n in m.hashes) names.add(n);
    for (const e of m.sealed) for (const n of e.fields) names.add(n);
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

/**
 * A member a batch writes to, as the batch's state read found it: its writers (resolveMatches), its id and write
 * stamp (the merge applies only while both are unchanged), and its stored columns to merge into.
 */
export type StoredMember = {
  id: number;
  writers: MemberWriters;
  updatedAt: number;
  updatedImport: number | null;
  /** As the read gave them: a packed column as taggedHex's text ("x" + hex), 0190's JSON as text (decodableColumns). */
  columns: StoredMemberColumns;
};

export type StoredMemberRow = {
  identifier_key: string;
  created_import_id: string | null;
  previous_import_id: string | null;
  updated_import_id: string | null;
  id: number;
  updated_at: number;
  updated_import: number | null;
  attributes: StoredColumn;
  hashes: StoredColumn;
  sealed: StoredColumn;
};

/**
 * The members of these keys (?2, a JSON array) in the audience `audienceExpr` (of workspace ?1), with what a merge
 * needs: writers, id, write stamp and the stored columns as they are (BLOBs come as bytes). One row a member, not one
 * JSON value for the batch as lastWritersSubquery gives: D1 refuses a value over 2 MB (SQLITE_TOOBIG, local D1 too),
 * which the columns of a 5,000-row batch of existing members would pass. Same single probe per key.
 */
export function storedMembersStatement(db: D1Database, workspaceId: string, audienceExpr: string, keys: readonly string[], ...params: unknown[]): D1PreparedStatement {
  return db
    .prepare(
      `SELECT m.identifier_key, ${importIdOf('m.created_import')} AS created_import_id, ${importIdOf('m.previous_import')} AS previous_import_id,
         ${importIdOf('m.updated_import')} AS updated_import_id, m.id, m.updated_at, m.updated_import, ${taggedHex('m.attributes')} AS attributes,
         ${taggedHex('m.hashes')} AS hashes, ${taggedHex('m.sealed')} AS sealed
       FROM json_each(?2) AS j CROSS JOIN member_records AS m
       WHERE m.audience_ref = ${audienceRef('?1', audienceExpr)} AND m.identifier_key = j.value`,
    )
    .bind(workspaceId, JSON.stringify(keys), ...params);
}

/*
 * A stored column as text: a packed BLOB as "x" + its hex, 0190's JSON text as it is (an object's text starts with "{",
 * so the tag cannot be mistaken). D1 hands a BLOB to the Worker as an array of numbers, one JavaScript number a byte,
 * which cost more to build and read than hex text decoded by table (re-importing 20,000 members in batches of 5,000:
 * 79–84 → 64–75 µs/row of server CPU).
 */
const taggedHex = (column: string) => `iif(typeof(${column}) = 'blob', 'x' || hex(${column}), ${column})`;
const isTaggedHex = (column: StoredColumn): column is string => typeof column === 'string' && column.startsWith('x');
const untagged = (column: StoredColumn): StoredColumn => (isTaggedHex(column) ? hexToBytes(column, 1) : column);

/** A StoredMember's columns as a decoder reads them: a packed column's tagged hex turned to its bytes. */
export const decodableColumns = (c: StoredMemberColumns): StoredMemberColumns => ({
  id: c.id,
  identifier_key: c.identifier_key,
  attributes: untagged(c.attributes),
  hashes: untagged(c.hashes),
  sealed: untagged(c.sealed),
});

/** storedMembersStatement's rows by identifier key. */
export function storedMembersOf(rows: readonly StoredMemberRow[]): Map<string, StoredMember> {
  const out = new Map<string, StoredMember>();
  for (const r of rows) {
    out.set(r.identifier_key, {
      id: r.id,
      writers: [r.created_import_id, r.previous_import_id, r.updated_import_id],
      updatedAt: r.updated_at,
      updatedImport: r.updated_import,
      // As read: a packed column stays hex text until something needs its bytes (most merges never do: packedColumnsOf).
      columns: { id: r.id, identifier_key: r.identifier_key, attributes: r.attributes, hashes: r.hashes, sealed: r.sealed },
    });
  }
  return out;
}

/** The stored members of these keys (a batch whose state read did not know its keys yet). */
export async function storedMembers(db: D1Database, workspaceId: string, audienceId: string, keys: readonly string[]): Promise<Map<string, StoredMember>> {
  if (keys.length === 0) return new Map();
  const { results } = await storedMembersStatement(db, workspaceId, '?3', keys, audienceId).all<StoredMemberRow>();
  return storedMembersOf(results);
}

// Packing is synchronous: one buffer serves every member an isolate writes.
const writer = new PackWriter();

/** A member's values → its three packed columns as hex, values equal to its key stored once (packedColumns.ts). */
export const packedHex = (values: MemberValues, refs: FieldRefs, key: string, options?: { markers?: boolean }) => packedColumnsHex(writer, values, refs, key, options);

/**
 * A member's stored columns, when all three are packed (not 0190's JSON text), as their hex text: what the merge and
 * snapshot of a merged member work on without decoding (mergedPackedHex, snapshotPackedHex). Only columns as
 * storedMembersOf keeps them (tagged hex, see taggedHex) are; any other form is decoded instead.
 */
export function packedColumnsOf(columns: StoredMemberColumns): PackedColumns | null {
  const { attributes, hashes, sealed } = columns;
  if (!isTaggedHex(attributes) || !isTaggedHex(hashes) || !isTaggedHex(sealed)) return null;
  return { attributes: attributes.slice(1), hashes: hashes.slice(1), sealed: sealed.slice(1) };
}

/** `written` merged over a member's packed columns (packedColumns.ts mergePackedColumnsHex: untouched entries copied). */
export const mergedPackedHex = (stored: PackedColumns, written: MemberValues, refs: FieldRefs, key: string) =>
  mergePackedColumnsHex(writer, stored, written, refs, key);

/** A member's packed columns in the snapshot form (markers written out), from the stored bytes. */
export const snapshotPackedHex = (stored: PackedColumns, key: string) => snapshotPackedColumnsHex(writer, stored, key);

/**
 * New members, as a plain INSERT on purpose: if another request created one of these identifiers since the
 * lookup, the unique index aborts the batch transaction and the batch is classified again, instead of silently
 * counting an update as an insert. The packed columns travel as hex inside the JSON parameter and are stored with
 * unhex (JSON carries no bytes); bad hex would be NULL, which NOT NULL refuses.
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
  return jsonChunks(members.map((m) => [m.key, ...packedHex(m, refs, m.key)])).map((json) =>
    db
      .prepare(
        `INSERT INTO member_records (audience_ref, identifier_key, attributes, hashes, sealed, created_import, updated_import,
           created_at, updated_at)
         SELECT ${audienceRef('?1', '?2')}, j.value ->> 0, unhex(j.value ->> 1), unhex(j.value ->> 2), unhex(j.value ->> 3),
           ${importRef('?1', '?3')}, ${importRef('?1', '?3')}, ${epochMsOf('?4')}, ${epochMsOf('?4')}
         FROM json_each(?5) AS j`,
      )
      .bind(workspaceId, audienceId, importId, now, json),
  );
}

/**
 * An existing member after a batch's merge — its values, or already its packed columns (packedColumns.ts
 * mergePackedColumnsHex, which merges without decoding) — and the stamp they were merged onto.
 */
export type MemberMerge = { id: number; key: string; updatedAt: number; updatedImport: number | null } & ({ values: MemberValues } | { packed: PackedHexOrStored });

/**
 * In a write's transaction, right after an UPDATE meant to change `expected` rows: violates NOT NULL (aborting the
 * transaction) when it changed fewer, i.e. a member changed since the Worker read it. changes() is the previous
 * statement's count: D1 runs a batch's statements one after another on one connection (test/worker/memberMerge).
 */
export function changedRowsGuardStatement(db: D1Database, expected: number): D1PreparedStatement {
  return db.prepare('INSERT INTO member_write_guards (unchanged_since_read) SELECT NULL WHERE changes() <> ?1').bind(expected);
}

/**
 * Existing members, merged by the Worker (mergeMemberValues: values written replace, values absent are kept, as
 * json_patch did) and written whole, each only if its stamp (updated_at, updated_import) is still the one read;
 * a guard after each chunk aborts the transaction otherwise, and the batch is classified again on fresh state.
 * `+audience_ref` (here and in rewriteMembersStatements) keeps the audience check out of the planner's index choice:
 * with it indexable, SQLite looped over every member of the audience and scanned the JSON parameter for each (a
 * 5,000-row re-import of 20,000 members never finished); now the parameter drives and each member is found by id.
 */
export function mergeMembersStatements(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  importId: string,
  now: string,
  merges: readonly MemberMerge[],
  refs: FieldRefs,
): D1PreparedStatement[] {
  return countedJsonChunks(merges.map((m) => [m.id, ...('packed' in m ? m.packed : packedHex(m.values, refs, m.key)), m.updatedAt, m.updatedImport])).flatMap(({ json, count }) => [
    db
      .prepare(
        // A column sent as null came out of the merge as stored (mergePackedColumnsHex): kept, not sent back. Not
        // coalesce: hex that does not read must stay NULL, which NOT NULL refuses.
        `UPDATE member_records SET attributes = iif(j.value ->> 1 IS NULL, member_records.attributes, unhex(j.value ->> 1)),
           hashes = iif(j.value ->> 2 IS NULL, member_records.hashes, unhex(j.value ->> 2)),
           sealed = iif(j.value ->> 3 IS NULL, member_records.sealed, unhex(j.value ->> 3)),
           -- Another import writing in between must not make this one forget the member was its own.
           previous_import = CASE WHEN member_records.updated_import IS ${importRef('?1', '?3')} THEN member_records.previous_import
             ELSE member_records.updated_import END,
           updated_import = ${importRef('?1', '?3')},
           updated_at = ${epochMsOf('?4')}
         FROM json_each(?5) AS j
         WHERE member_records.id = j.value ->> 0 AND member_records.updated_at = j.value ->> 4 AND member_records.updated_import IS j.value ->> 5
           AND +member_records.audience_ref = ${audienceRef('?1', '?2')}`,
      )
      .bind(workspaceId, audienceId, importId, now, json),
    changedRowsGuardStatement(db, count),
  ]);
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

/** A member as stored, decoded: its values by field name and its write stamp (see sealStoredValues). */
export type DecodedMember = { id: number; key: string; updatedAt: number; values: MemberValues };

type StoredRow = { id: number; identifier_key: string; attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn; updated_at: number };

const STORED_ROW = 'm.id, m.identifier_key, m.attributes, m.hashes, m.sealed, m.updated_at';

async function decodedRows(db: D1Database, workspaceId: string, rows: readonly StoredRow[], refs?: FieldRefs): Promise<DecodedMember[]> {
  if (rows.length === 0) return [];
  // Without `refs`, read afresh: sealing in place runs once per import start, and sends no fieldRefsGuardStatement.
  const values = await new MemberDecoder(db, workspaceId, refs).decode(rows);
  return rows.map((r, i) => ({ id: r.id, key: r.identifier_key, updatedAt: r.updated_at, values: values[i] as MemberValues }));
}

/**
 * The next members (by id, from `limit` read) holding a plain value of any of `fields`. SQL filters the JSON rows of
 * migration 0190 exactly; a packed row it cannot read, so it passes those whose attributes contain the bytes of one
 * of the fields' numbers (a row without them cannot hold the field) and the Worker decides on the decoded values.
 * `nextAfter` is the last id read, to go on from even when no member of the page qualified.
 */
export async function membersWithPlainValues(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  fields: readonly string[],
  afterId: number,
  limit: number,
): Promise<{ members: DecodedMember[]; nextAfter: number | null }> {
  const refs = await fieldRefs(db, workspaceId, [], { fresh: true });
  const varints = fields.flatMap((f) => {
    const ref = refs.get(f);
    if (ref === undefined) return [];
    writer.reset().varint(ref);
    return [writer.toHex()];
  });
  if (varints.length === 0) return { members: [], nextAfter: null };
  const { results } = await db
    .prepare(
      `SELECT ${STORED_ROW} FROM member_records AS m
       WHERE audience_ref = ${audienceRef('?1', '?2')} AND id > ?3
         AND CASE WHEN typeof(m.attributes) = 'blob' THEN EXISTS (SELECT 1 FROM json_each(?6) AS f WHERE instr(m.attributes, unhex(f.value)) > 0)
           ELSE EXISTS (SELECT 1 FROM json_each(m.attributes) AS a WHERE CAST(a.key AS INTEGER) IN
             (SELECT ref FROM member_field_refs WHERE workspace_id = ?1 AND key IN (SELECT value FROM json_each(?4)))) END
       ORDER BY id LIMIT ?5`,
    )
    .bind(workspaceId, audienceId, afterId, JSON.stringify(fields), limit, JSON.stringify(varints))
    .all<StoredRow>();
  const members = (await decodedRows(db, workspaceId, results, refs)).filter((m) => fields.some((f) => m.values.attributes[f] !== undefined));
  return { members, nextAfter: results.at(-1)?.id ?? null };
}

/** Members of the audience with these keys (for merging two members that turn out to be one person). */
export async function membersByKeys(db: D1Database, workspaceId: string, audienceId: string, keys: readonly string[]): Promise<DecodedMember[]> {
  if (keys.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT ${STORED_ROW} FROM json_each(?3) AS j CROSS JOIN member_records AS m
       WHERE m.audience_ref = ${audienceRef('?1', '?2')} AND m.identifier_key = j.value`,
    )
    .bind(workspaceId, audienceId, JSON.stringify(keys))
    .all<StoredRow>();
  return decodedRows(db, workspaceId, results);
}

/**
 * One member rewritten whole: its key and values (sealing in place, merging), as read at `updatedAt` (epoch ms): a
 * member another request wrote since is left alone (the statement's change count says so) rather than losing
 * that write.
 */
export type MemberRewrite = { id: number; updatedAt: number; key: string; values: MemberValues };

/**
 * Rewrites in the packed form. updated_at moves on by 1 ms: a batch merging into the member checks the stamp it
 * read (mergeMembersStatements), so a rewrite between its read and its write must change the stamp, or the batch
 * would write back the plain values just sealed. A millisecond keeps the member's place among recent writes.
 */
export function rewriteMembersStatements(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  rewrites: readonly MemberRewrite[],
  refs: FieldRefs,
): D1PreparedStatement[] {
  return jsonChunks(rewrites.map((r) => [r.id, r.key, ...packedHex(r.values, refs, r.key), r.updatedAt])).map((json) =>
    db
      .prepare(
        `UPDATE member_records SET identifier_key = u.value ->> 1, attributes = unhex(u.value ->> 2), hashes = unhex(u.value ->> 3),
           sealed = unhex(u.value ->> 4), updated_at = member_records.updated_at + 1
         FROM json_each(?3) AS u
         WHERE member_records.id = u.value ->> 0 AND member_records.updated_at = u.value ->> 5
           AND +member_records.audience_ref = ${audienceRef('?1', '?2')}`,
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
