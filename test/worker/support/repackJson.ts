import { env } from 'cloudflare:test';
import { BUILT_IN_FIELDS } from '../../../shared/fields/builtInFields.ts';
import { toBase64url } from '../../../shared/privacy/base64url.ts';
import type { FieldType } from '../../../shared/schema/fields.ts';
import { createAesGcm, readAesKey } from '../../../worker/crypto/aesGcm.ts';
import { keyedHasherFor } from '../../../worker/crypto/keyedHash.ts';
import { sensitiveKey } from '../../../worker/crypto/sensitiveKey.ts';
import { fieldNamesByRef } from '../../../worker/store/members.ts';
import { decodeMemberColumns, sealedRefs, type MemberValues, type SealedRef, type StoredColumn } from '../../../worker/store/packedColumns.ts';
import { openSealed } from './storedMembers.ts';

/*
 * The member re-pack's tests need members as 0190 stored them (JSON text). Today's write path stores that; once the
 * packed write path stores BLOBs, this puts an audience's packed members and their snapshots back into the JSON form
 * (nothing to do for rows already JSON), so the re-pack test holds either way.
 */

const typeOf = (field: string): FieldType => BUILT_IN_FIELDS.find((f) => f.key === field)?.type ?? 'text';
type Numbered = Record<string, string | 0>;
type Columns = { attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn };

/** Values → 0190's numbered JSON: `key`'s value as 0 (none with `key` null), hashes whole, one envelope a value. */
async function jsonColumns(values: MemberValues, key: string | null, refs: ReadonlyMap<string, number>): Promise<[string, string, string]> {
  const hasher = await keyedHasherFor(env.HASH_KEY);
  const aes = createAesGcm(readAesKey(env.ENCRYPTION_KEY));
  const ref = (name: string) => String(refs.get(name));
  const located = [...sealedRefs(values.sealed)];
  const plain = await openSealed(located.map(([, r]) => r as SealedRef));
  const openedOf = new Map(located.map(([field], i) => [field, plain[i] as string]));
  const attributes: Numbered = {};
  for (const [name, v] of Object.entries(values.attributes)) attributes[ref(name)] = v === key ? 0 : v;
  const hashes: Numbered = {};
  for (const [name, h] of Object.entries(values.hashes)) {
    // A 128-bit hash is recomputed whole from the sealed value it was made of.
    const opened = openedOf.get(name);
    const whole = h.length === 64 || opened === undefined ? h : sensitiveKey(hasher, typeOf(name), opened);
    if (!whole.startsWith(h)) throw new Error(`the hash of "${name}" is not the keyed hash of its sealed value`);
    hashes[ref(name)] = whole === key ? 0 : whole;
  }
  const sealed: Record<string, string> = {};
  located.forEach(([name, r], i) => {
    sealed[ref(name)] = r.envelope.kind === 'private' ? `pk1.${r.envelope.batchKeyId}.${toBase64url(r.envelope.bytes)}` : aes.seal(plain[i] as string);
  });
  return [JSON.stringify(attributes), JSON.stringify(hashes), JSON.stringify(sealed)];
}

/** The packed members of an audience (and the snapshots of them) rewritten into 0190's JSON form, stamps untouched. */
export async function audienceBackToJson(audienceId: string, workspaceId = 'default'): Promise<number> {
  const names = await fieldNamesByRef(env.DB, workspaceId);
  const refs = new Map([...names].map(([r, n]) => [n, r]));
  const { results: members } = await env.DB.prepare(
    `SELECT id, identifier_key, attributes, hashes, sealed FROM member_records
     WHERE audience_ref = (SELECT ref FROM audiences WHERE id = ?1 AND workspace_id = ?2) AND typeof(attributes) = 'blob'`,
  )
    .bind(audienceId, workspaceId)
    .all<Columns & { id: number; identifier_key: string }>();
  const { results: snapshots } = await env.DB.prepare(
    `SELECT s.import_id, s.member_id, s.attributes, s.hashes, s.sealed FROM member_snapshots AS s JOIN imports AS i ON i.id = s.import_id
     WHERE i.audience_id = ?1 AND s.workspace_id = ?2 AND typeof(s.attributes) = 'blob'`,
  )
    .bind(audienceId, workspaceId)
    .all<Columns & { import_id: string; member_id: number }>();
  const statements: D1PreparedStatement[] = [];
  for (const m of members) {
    const [a, h, s] = await jsonColumns(decodeMemberColumns(m, names), m.identifier_key, refs);
    statements.push(env.DB.prepare('UPDATE member_records SET attributes = ?1, hashes = ?2, sealed = ?3 WHERE id = ?4').bind(a, h, s, m.id));
  }
  for (const s of snapshots) {
    // Snapshots write values out (no key markers): decoded with no key, written with none.
    const [a, h, sealed] = await jsonColumns(decodeMemberColumns({ ...s, identifier_key: '' }, names), null, refs);
    statements.push(
      env.DB.prepare('UPDATE member_snapshots SET attributes = ?1, hashes = ?2, sealed = ?3 WHERE import_id = ?4 AND member_id = ?5').bind(a, h, sealed, s.import_id, s.member_id),
    );
  }
  if (statements.length > 0) await env.DB.batch(statements);
  return members.length;
}
