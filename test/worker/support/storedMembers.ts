import { env } from 'cloudflare:test';
import { sealedOpenerFor } from '../../../worker/privacy/sealedOpener.ts';
import { readAesKey } from '../../../worker/crypto/aesGcm.ts';
import { fieldNamesByRef } from '../../../worker/store/members.ts';
import {
  decodeMemberColumns,
  envelopePlaintext,
  HASH_BYTES,
  PackWriter,
  packedColumnsHex,
  sealedRefs,
  type MemberValues,
  type SealedEnvelope,
  type SealedRef,
  type StoredColumn,
} from '../../../worker/store/packedColumns.ts';
import { MemberDecoder } from '../../../worker/store/storedMembers.ts';

/**
 * A member as stored, decoded by the product's own decoder (whichever form the write path wrote: 0190's JSON text or
 * packed BLOBs), for tests that look at what the database holds. `sealed` says where each sealed field's value is
 * (open them with `openSealed`); `envelopes` are the stored envelopes, newest first; `packed` which form the row is in.
 */
export type StoredMember = {
  id: number;
  workspace_id: string;
  audience_id: string;
  identifier_key: string;
  attributes: Record<string, string>;
  hashes: Record<string, string>;
  sealed: Record<string, SealedRef>;
  envelopes: SealedEnvelope[];
  packed: boolean;
  created_import_id: string | null;
  previous_import_id: string | null;
  updated_import_id: string | null;
  created_at: string;
  updated_at: string;
  hash_scheme: number;
  removed_from_source_at: string | null;
};

type Row = Omit<StoredMember, 'attributes' | 'hashes' | 'sealed' | 'envelopes' | 'packed'> & { attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn };

/**
 * The members of an audience (or of every audience, with `audienceId` null) in id order, their value columns decoded
 * as the product decodes them; the other columns as the `members` view gives them (text ids, ISO times).
 */
export async function storedMembers(audienceId: string | null, workspaceId = 'default'): Promise<StoredMember[]> {
  const { results } = await env.DB.prepare(
    `SELECT v.id, v.workspace_id, v.audience_id, v.identifier_key, r.attributes, r.hashes, r.sealed, v.created_import_id, v.previous_import_id,
       v.updated_import_id, v.created_at, v.updated_at, v.hash_scheme, v.removed_from_source_at
     FROM members AS v JOIN member_records AS r ON r.id = v.id
     WHERE v.workspace_id = ?1 AND (?2 IS NULL OR v.audience_id = ?2) ORDER BY v.id`,
  )
    .bind(workspaceId, audienceId)
    .all<Row>();
  const decoded = await new MemberDecoder(env.DB, workspaceId).decode(results);
  return results.map((r, i) => {
    const values = decoded[i] as (typeof decoded)[number];
    return {
      ...r,
      attributes: values.attributes,
      hashes: values.hashes,
      sealed: Object.fromEntries(sealedRefs(values.sealed)),
      envelopes: values.sealed,
      packed: typeof r.attributes !== 'string',
    };
  });
}

/** One stored member by id (undefined when there is none). */
export async function storedMember(id: number, workspaceId = 'default'): Promise<StoredMember | undefined> {
  return (await storedMembers(null, workspaceId)).find((m) => m.id === id);
}

/**
 * A keyed hash (sensitiveKey's 64 hex characters) as `member` stores it in `hashes`: whole in the JSON form, its
 * first 128 bits (32 hex characters) in the packed form — except the identifier's own hash, stored once as the
 * member's identifier_key and read back whole.
 */
export function keyedHashPrefix(member: Pick<StoredMember, 'packed' | 'identifier_key'>, fullHash: string): string {
  return member.packed && fullHash !== member.identifier_key ? fullHash.slice(0, HASH_BYTES * 2) : fullHash;
}

/** Every keyed hash of `hashes` as `member` stores it (keyedHashPrefix of each). */
export function keyedHashesAsStored(member: Pick<StoredMember, 'packed' | 'identifier_key'>, hashes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(hashes).map(([k, h]) => [k, keyedHashPrefix(member, h)]));
}

/** The plain values of sealed fields, opened by the product's opener (both kinds of envelope). */
export async function openSealed(refs: readonly SealedRef[], workspaceId = 'default'): Promise<string[]> {
  return (await sealedOpenerFor(env.DB, env.ENCRYPTION_KEY, workspaceId))(refs);
}

/** A member's sealed fields opened, by field name. */
export async function openedFields(member: StoredMember, workspaceId = 'default'): Promise<Record<string, string>> {
  const fields = Object.keys(member.sealed);
  const values = await openSealed(
    fields.map((f) => member.sealed[f] as SealedRef),
    workspaceId,
  );
  return Object.fromEntries(fields.map((f, i) => [f, values[i] as string]));
}

/**
 * Rewrites members in place into the packed form (packedColumns.ts), as the packed write path will store them:
 * attributes and hashes packed (hashes cut to HMAC-128, the identifier's as the marker), every server-sealed value
 * of a member opened and sealed again into ONE envelope naming all its fields (AES-256-GCM under the test env's
 * ENCRYPTION_KEY, as aesGcm.ts reads it), private envelopes kept as they are. `ids`: which members (default: all of
 * the audience). Returns the ids rewritten.
 */
export async function packMembersInPlace(audienceId: string, ids?: readonly number[], workspaceId = 'default'): Promise<number[]> {
  const { results } = await env.DB.prepare(
    `SELECT id, identifier_key, attributes, hashes, sealed FROM member_records
     WHERE audience_ref = (SELECT ref FROM audiences WHERE id = ?1 AND workspace_id = ?2) ORDER BY id`,
  )
    .bind(audienceId, workspaceId)
    .all<{ id: number; identifier_key: string; attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn }>();
  const chosen = results.filter((r) => !ids || ids.includes(r.id));
  const names = await fieldNamesByRef(env.DB, workspaceId);
  const refs = new Map([...names].map(([ref, name]) => [name, ref]));
  const aes = await crypto.subtle.importKey('raw', new Uint8Array(readAesKey(env.ENCRYPTION_KEY)), 'AES-GCM', false, ['encrypt']);
  const w = new PackWriter();
  const statements: D1PreparedStatement[] = [];
  for (const row of chosen) {
    const values = decodeMemberColumns(row, names);
    const server = values.sealed.filter((e) => e.kind === 'server');
    const fields = server.flatMap((e) => e.fields);
    const opened = await openSealed(fields.map((f) => sealedRefs(server).get(f) as SealedRef), workspaceId);
    const sealed: SealedEnvelope[] = values.sealed.filter((e) => e.kind === 'private');
    if (fields.length > 0) sealed.unshift(await serverEnvelope(aes, fields, opened));
    const [a, h, s] = packedColumnsHex(w, { ...values, sealed }, refs, row.identifier_key);
    statements.push(
      env.DB.prepare('UPDATE member_records SET attributes = unhex(?1), hashes = unhex(?2), sealed = unhex(?3) WHERE id = ?4').bind(a, h, s, row.id),
    );
  }
  if (statements.length > 0) await env.DB.batch(statements);
  return chosen.map((r) => r.id);
}

/** A server envelope naming `fields` (their `values` in order), sealed as aesGcm.ts seals: nonce(12) ‖ ct ‖ tag. */
async function serverEnvelope(aes: CryptoKey, fields: string[], values: string[]): Promise<SealedEnvelope> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const body = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, new Uint8Array(envelopePlaintext(values))));
  const bytes = new Uint8Array(iv.length + body.length);
  bytes.set(iv);
  bytes.set(body, iv.length);
  return { kind: 'server', fields, bytes };
}

/**
 * Adds to a packed member one server envelope naming `values`' fields, newest (`first`) or oldest: a field a newer
 * envelope also names reads from that one (packedColumns.ts), as after a later write that sealed only some fields.
 */
export async function addServerEnvelope(memberId: number, values: Record<string, string>, position: 'first' | 'last', workspaceId = 'default'): Promise<void> {
  const row = await env.DB.prepare('SELECT id, identifier_key, attributes, hashes, sealed FROM member_records WHERE id = ?')
    .bind(memberId)
    .first<{ id: number; identifier_key: string; attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn }>();
  if (!row) throw new Error(`no member ${memberId}`);
  const names = await fieldNamesByRef(env.DB, workspaceId);
  const refs = new Map([...names].map(([ref, name]) => [name, ref]));
  const decoded = decodeMemberColumns(row, names);
  const aes = await crypto.subtle.importKey('raw', new Uint8Array(readAesKey(env.ENCRYPTION_KEY)), 'AES-GCM', false, ['encrypt']);
  const added = await serverEnvelope(aes, Object.keys(values), Object.values(values));
  const sealed = position === 'first' ? [added, ...decoded.sealed] : [...decoded.sealed, added];
  const [a, h, s] = packedColumnsHex(new PackWriter(), { ...decoded, sealed }, refs, row.identifier_key);
  await env.DB.prepare('UPDATE member_records SET attributes = unhex(?1), hashes = unhex(?2), sealed = unhex(?3) WHERE id = ?4').bind(a, h, s, row.id).run();
}

/** One member's row as member_records holds it, with its columns' SQLite types ("blob,blob,blob") and stamps. */
export type StoredRow = {
  id: number;
  identifier_key: string;
  attributes: StoredColumn;
  hashes: StoredColumn;
  sealed: StoredColumn;
  types: string;
  updated_at: number;
  updated_import: number | null;
  previous_import: number | null;
};

/** One member of an audience by its identifier key: the row as stored, and decoded with the workspace's field names. */
export async function storedRow(audienceId: string, key: string): Promise<{ row: StoredRow; values: MemberValues }> {
  const row = await env.DB.prepare(
    `SELECT m.id, m.identifier_key, m.attributes, m.hashes, m.sealed, typeof(m.attributes) || ',' || typeof(m.hashes) || ',' || typeof(m.sealed) AS types,
       m.updated_at, m.updated_import, m.previous_import
     FROM member_records AS m JOIN audiences AS a ON a.ref = m.audience_ref WHERE a.id = ? AND m.identifier_key = ?`,
  )
    .bind(audienceId, key)
    .first<StoredRow>();
  if (!row) throw new Error(`no member ${key}`);
  return { row, values: decodeMemberColumns(row, await fieldNamesByRef(env.DB, 'default')) };
}
