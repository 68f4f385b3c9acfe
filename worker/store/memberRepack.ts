import { jsonChunks } from './jsonChunks.ts';
import { fieldNamesByRef } from './members.ts';
import { batchSealerFor } from '../crypto/batchSealer.ts';
import { createBatchOpener } from '../crypto/batchOpener.ts';
import {
  bytesToHex,
  decodeMemberColumns,
  envelopePlaintext,
  envelopeValues,
  PackWriter,
  packedColumnsHex,
  type MemberValues,
  type NamesByRef,
  type SealedEnvelope,
  type StoredColumn,
} from './packedColumns.ts';

/*
 * Members written before the packed form (packedColumns.ts) hold 0190's JSON text until something writes them again.
 * A migration rewriting every member in one D1 transaction is what 0140/0190 did, and at millions of members that
 * transaction is the risk; so the minute's Cron Trigger re-packs them a bounded step at a time instead (worker/index.ts).
 * The values stay what they were: attributes packed, hashes cut to HMAC-128 (packHashes), a member's server-sealed
 * values merged into one envelope (serverEnvelopeMerger; one value alone keeps its envelope byte for byte), private
 * (privacy-mode) envelopes kept as they are. Only the three value columns change: updated_at, updated_import,
 * previous_import and the rest are copied as stored, so undo, later-writer checks and syncs see the member as they
 * left it.
 */

/** Members one read takes (and one D1 transaction puts back): about 550 KB of JSON parameter (≈ 1.1 KB a member: packed hex and the columns as read), under jsonChunks' 1 MB. */
const ROWS_PER_READ = 500;

/** A member as the re-pack reads it: its value columns as stored, and the stamps its write is guarded by. */
export type RepackRow = {
  id: number;
  workspace_id: string;
  identifier_key: string;
  attributes: StoredColumn;
  hashes: StoredColumn;
  sealed: StoredColumn;
  updated_at: number;
  updated_import: number | null;
};

/** A member's packed columns as hex, and what it was read as (the write's guard). */
export type RepackWrite = { row: RepackRow; packed: [attributes: string, hashes: string, sealed: string] };

const STILL_JSON = "(typeof(m.attributes) = 'text' OR typeof(m.hashes) = 'text' OR typeof(m.sealed) = 'text')";

/** INDEXED BY: should the planner ever prefer another plan, the statement fails instead of scanning every member a minute. */
export const MEMBERS_TO_REPACK_SQL = `SELECT m.id, a.workspace_id, m.identifier_key, m.attributes, m.hashes, m.sealed, m.updated_at, m.updated_import
  FROM member_records AS m INDEXED BY member_records_json JOIN audiences AS a ON a.ref = m.audience_ref
  WHERE m.hash_scheme = 1 AND ${STILL_JSON} AND m.id > (SELECT after_id FROM member_repack_cursor WHERE one = 1)
  ORDER BY m.id LIMIT ?1`;

/**
 * The next members (by id, after the kept cursor) holding JSON in any value column and keyed already
 * (hash_scheme 1: a row still to re-key is keyedHashMigration's, which reads JSON). A range of the partial index
 * member_records_json (migration 0240), so a database with nothing left to re-pack costs one probe.
 */
export async function membersToRepack(db: D1Database, limit: number): Promise<RepackRow[]> {
  const { results } = await db.prepare(MEMBERS_TO_REPACK_SQL).bind(limit).all<RepackRow>();
  return results;
}

/**
 * Each row's values decoded with its workspace's field names and packed again under the same numbers (the names
 * reversed: 0190 numbered every stored name). A row that does not decode or pack (a number or a name without its
 * partner, a hash too short) is logged and skipped, never written with a value less: the next pass tries it again.
 * With `mergeServerEnvelopes`, a member's server-sealed values (one envelope each in 0190's JSON) become ONE
 * envelope naming them all, as the packed write path seals (serverEnvelopeMerger); without it, or for a
 * member whose envelopes do not open, each stays its own envelope, the same bytes.
 */
export async function repackedRows(
  db: D1Database,
  rows: readonly RepackRow[],
  mergeServerEnvelopes?: ServerEnvelopeMerger,
): Promise<{ writes: RepackWrite[]; skipped: number[] }> {
  const namesByWorkspace = new Map<string, Promise<NamesByRef>>();
  const decoded: { row: RepackRow; values: MemberValues; names: NamesByRef }[] = [];
  const skipped: number[] = [];
  for (const row of rows) {
    let names = namesByWorkspace.get(row.workspace_id);
    if (!names) {
      // Read after the rows: every number a row read holds was given before (numbers are given before the write).
      names = fieldNamesByRef(db, row.workspace_id);
      namesByWorkspace.set(row.workspace_id, names);
    }
    const namesOf = await names;
    try {
      decoded.push({ row, values: decodeMemberColumns(row, namesOf), names: namesOf });
    } catch (e) {
      skip(row, e, skipped);
    }
  }
  if (mergeServerEnvelopes) {
    // Only 0190's per-value envelopes: a packed `sealed` is as the write path left it.
    const merged = await mergeServerEnvelopes(decoded.map((d) => ({ id: d.row.id, envelopes: typeof d.row.sealed === 'string' ? d.values.sealed : [] })));
    merged.forEach((sealed, i) => {
      if (sealed) (decoded[i] as (typeof decoded)[number]).values.sealed = sealed;
    });
  }
  const writes: RepackWrite[] = [];
  const w = new PackWriter();
  for (const { row, values, names } of decoded) {
    try {
      const refs = new Map([...names].map(([ref, name]) => [name, ref]));
      writes.push({ row, packed: packedColumnsHex(w, values, refs, row.identifier_key) });
    } catch (e) {
      skip(row, e, skipped);
    }
  }
  return { writes, skipped };
}

function skip(row: RepackRow, e: unknown, skipped: number[]): void {
  console.error(`member_records row ${row.id} is left in its stored form by the re-pack:`, e instanceof Error ? e.message : String(e));
  skipped.push(row.id);
}

/**
 * Each member's envelopes (newest first) → the same with its server envelopes merged into ONE, first, naming their
 * fields in order (null: leave the member's envelopes as they are).
 */
export type ServerEnvelopeMerger = (members: readonly { id: number; envelopes: readonly SealedEnvelope[] }[]) => Promise<(SealedEnvelope[] | null)[]>;

/**
 * Merges server envelopes under ENCRYPTION_KEY: a member's server envelopes (two or more, one field each) are opened
 * (createBatchOpener) and their values sealed again as one (envelopePlaintext) by the write path's own sealer (batchSealerFor: AES-256-GCM, a fresh
 * 12-byte nonce, nonce ‖ ciphertext ‖ tag, packedColumns.ts kind 1). 0190 stored 28 bytes of
 * nonce and tag (and a length) per value; one envelope for a member's two sensitive values saves ≈ 28 B of its row.
 * Private (privacy-mode) envelopes are never opened: they stay as they are, after the merged one. A member whose
 * envelopes do not open (altered, another key) keeps them as they are, and is logged.
 */
export async function serverEnvelopeMerger(base64Key: string | undefined): Promise<ServerEnvelopeMerger> {
  const open = await createBatchOpener(base64Key);
  const seal = await batchSealerFor(base64Key);
  return async (members) => {
    const opened = await Promise.allSettled(
      members.map(async ({ envelopes }) => {
        const server = envelopes.filter((e) => e.kind === 'server');
        if (server.length < 2 || server.some((e) => e.fields.length !== 1)) return null;
        const plain = await open(server.map((e) => e.bytes));
        const values = plain.map((p) => envelopeValues(p, 1)[0] as string);
        const [bytes] = await seal([envelopePlaintext(values)]);
        if (!bytes) throw new Error('the sealer gave no envelope');
        const merged: SealedEnvelope = { kind: 'server', fields: server.map((e) => e.fields[0] as string), bytes };
        return [merged, ...envelopes.filter((e) => e.kind !== 'server')];
      }),
    );
    return opened.map((o, i) => {
      if (o.status === 'fulfilled') return o.value;
      console.error(`member_records row ${members[i]?.id}: its server envelopes do not open; the re-pack keeps them one a value:`, o.reason instanceof Error ? o.reason.message : String(o.reason));
      return null;
    });
  };
}

/** A stored column as the guard compares it: JSON text as it is, a BLOB as uppercase hex (SQLite's hex()). */
function asRead(column: StoredColumn): string {
  if (typeof column === 'string') return column;
  const bytes = column instanceof Uint8Array ? column : Array.isArray(column) ? Uint8Array.from(column) : new Uint8Array(column);
  return bytesToHex(bytes).toUpperCase();
}

const readColumn = (column: string) => `CASE WHEN typeof(m.${column}) = 'blob' THEN hex(m.${column}) ELSE m.${column} END`;

/**
 * Every column of member_records, in order: a step moves whole rows (below), so a column added to member_records
 * must be added here and to member_repack_rows (migration 0240), or the move would lose it — the Worker test
 * compares the three lists.
 */
export const MEMBER_RECORD_COLUMNS = [
  'id',
  'audience_ref',
  'identifier_key',
  'attributes',
  'hashes',
  'sealed',
  'created_import',
  'previous_import',
  'updated_import',
  'created_at',
  'updated_at',
  'hash_scheme',
  'removed_from_source_at',
] as const;

const PACKED: Record<string, string> = { attributes: 'unhex(j.value ->> 1)', hashes: 'unhex(j.value ->> 2)', sealed: 'unhex(j.value ->> 3)' };

/**
 * Stages the members of one JSON chunk that are exactly as read — same stamps (updated_at, updated_import), same
 * key, still keyed, still holding JSON, each value column the very bytes read — with their packed columns and every
 * other column as stored. A write in between (an import's merge, sealing in place, which on the JSON write path keeps
 * the stamp, an undo) leaves its member out, for a later pass.
 * NOT INDEXED: each member is found by its id (a rowid lookup per JSON item, still allowed); without it SQLite walked
 * the partial index member_records_json and scanned the JSON parameter for each of its rows (measured: a tick of
 * 2,000 members took minutes on 20,000 members in local D1).
 */
export const STAGE_REPACKED_SQL = `INSERT INTO member_repack_rows (${MEMBER_RECORD_COLUMNS.join(', ')})
  SELECT ${MEMBER_RECORD_COLUMNS.map((c) => PACKED[c] ?? `m.${c}`).join(', ')}
  FROM json_each(?1) AS j CROSS JOIN member_records AS m NOT INDEXED
  WHERE m.id = j.value ->> 0 AND m.updated_at = j.value ->> 4 AND m.updated_import IS j.value ->> 5
    AND m.identifier_key = j.value ->> 6 AND m.hash_scheme = 1 AND ${STILL_JSON}
    AND ${readColumn('attributes')} = j.value ->> 7 AND ${readColumn('hashes')} = j.value ->> 8 AND ${readColumn('sealed')} = j.value ->> 9`;

/**
 * Puts the staged members back packed, in the same D1 batch (one transaction: no reader sees a member missing, and a
 * step that fails changes nothing, the cursor included): each is deleted and inserted again under its own id with
 * every column as it was but attributes, hashes and sealed — updated_at, updated_import, previous_import and the rest
 * untouched, so undo, later-writer checks and syncs see nothing change. Deleted and inserted rather than updated:
 * SQLite updates a row in place, and its page keeps the room the JSON took, so the database would not shrink;
 * members deleted and inserted again in id order fill their pages anew (see README, "Re-packing stored members").
 * Answers how many members changed.
 */
export async function writeRepacked(db: D1Database, writes: readonly RepackWrite[], nextAfterId: number): Promise<number> {
  const items = writes.map(({ row, packed }) => [
    row.id,
    ...packed,
    row.updated_at,
    row.updated_import,
    row.identifier_key,
    asRead(row.attributes),
    asRead(row.hashes),
    asRead(row.sealed),
  ]);
  const stage = jsonChunks(items).map((json) => db.prepare(STAGE_REPACKED_SQL).bind(json));
  const columns = MEMBER_RECORD_COLUMNS.join(', ');
  const results = await db.batch([
    ...stage,
    db.prepare('DELETE FROM member_records WHERE id IN (SELECT id FROM member_repack_rows)'),
    db.prepare(`INSERT INTO member_records (${columns}) SELECT ${columns} FROM member_repack_rows ORDER BY id`),
    db.prepare('DELETE FROM member_repack_rows'),
    db.prepare('UPDATE member_repack_cursor SET after_id = ?1 WHERE one = 1').bind(nextAfterId),
  ]);
  return results.slice(0, stage.length).reduce((n, r) => n + (r.meta.changes ?? 0), 0);
}

export type RepackStep = { read: number; repacked: number; skipped: number; leftAsWritten: number };

/**
 * Re-packs up to `maxRows` members still holding JSON, ROWS_PER_READ at a time (server-sealed values merged into one
 * envelope a member under `encryptionKey`), going on from where the last step stopped; at the end of the table the cursor goes back to 0, so members skipped or written back as JSON (an undo
 * restoring an old snapshot) are read again by a later pass. Across every workspace on purpose: no member may stay
 * behind, and each is decoded with its own workspace's field names.
 */
export async function repackMembers(db: D1Database, encryptionKey: string | undefined, maxRows: number): Promise<RepackStep> {
  const step: RepackStep = { read: 0, repacked: 0, skipped: 0, leftAsWritten: 0 };
  const merger = await serverEnvelopeMerger(encryptionKey);
  while (step.read < maxRows) {
    const limit = Math.min(ROWS_PER_READ, maxRows - step.read);
    const rows = await membersToRepack(db, limit);
    const atEnd = rows.length < limit;
    const lastId = rows.at(-1)?.id ?? 0;
    const { writes, skipped } = await repackedRows(db, rows, merger);
    const changed = await writeRepacked(db, writes, atEnd ? 0 : lastId);
    step.read += rows.length;
    step.repacked += changed;
    step.skipped += skipped.length;
    step.leftAsWritten += writes.length - changed;
    if (atEnd) break;
  }
  return step;
}

/**
 * Members the minute's tick re-packs from 0190's JSON into the packed form (repackMembers, above). Bounded so a tick
 * stays small whatever the backlog: four D1 transactions of 500 (each JSON parameter under jsonChunks' 1 MB against
 * D1's 2 MB a value; one bound parameter a statement against D1's 100), and CPU estimated from its parts at 40–60 ms
 * (decoding ≈ 5–7 µs a member, measured; packing about as much; opening two values and sealing one ≈ 10 µs, from
 * batchSealer's 13 ms per 4,000), far under a paid Cron invocation's 30 s (not measured in workerd: its clock stands
 * still while JavaScript runs). Measured wall time locally: ≈ 0.2 s a tick, D1 included. At 2,000 a minute a
 * database re-packs 2.88 million members a day.
 */
export const REPACK_MEMBERS_PER_TICK = 2_000;

/** The re-pack step of a tick; a failure is logged, and the next tick goes on where the last write left the cursor. */
export async function repackStep(env: Env): Promise<void> {
  try {
    const step = await repackMembers(env.DB, env.ENCRYPTION_KEY, REPACK_MEMBERS_PER_TICK);
    if (step.read > 0) console.log('member re-pack', step);
  } catch (e) {
    console.error('member re-pack step failed', e);
  }
}
