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

const typeOf = (field: string): FieldType => BUILT_IN_FIELDS.find((f) => f.key === field)?.type ?? 'text';

type Numbered = Record<string, string | 0>;

/**
 * Packed values → migration 0190's JSON form, as the Worker wrote members before packed columns: numbered objects,
 * a value equal to `key` as 0 (none with `key` null: snapshots wrote values out), every keyed hash whole (recomputed
 * from the opened value, checked against the 128 bits stored), one base64 AES-GCM value per server-sealed field and
 * `pk1.<batch key>.<c>` per private one.
 */
async function jsonColumns(values: MemberValues, key: string | null, refs: ReadonlyMap<string, number>, workspaceId: string): Promise<[string, string, string]> {
  const hasher = await keyedHasherFor(env.HASH_KEY);
  const aes = createAesGcm(readAesKey(env.ENCRYPTION_KEY));
  const ref = (name: string) => String(refs.get(name));
  const located = [...sealedRefs(values.sealed)];
  const opened = new Map(located.map(([field], i) => [field, i]));
  const plain = await openSealed(located.map(([, r]) => r as SealedRef), workspaceId);
  const attributes: Numbered = {};
  for (const [name, v] of Object.entries(values.attributes)) attributes[ref(name)] = v === key ? 0 : v;
  const hashes: Numbered = {};
  for (const [name, h] of Object.entries(values.hashes)) {
    if (h.length === 64) {
      hashes[ref(name)] = h === key ? 0 : h;
      continue;
    }
    const at = opened.get(name);
    if (at === undefined) throw new Error(`field "${name}" has a 128-bit hash and no sealed value to recompute it from`);
    const whole = sensitiveKey(hasher, typeOf(name), plain[at] as string);
    if (!whole.startsWith(h)) throw new Error(`the hash of "${name}" is not the keyed hash of its sealed value`);
    hashes[ref(name)] = whole === key ? 0 : whole;
  }
  const sealed: Record<string, string> = {};
  located.forEach(([name, r], i) => {
    // 0190's text holds one value a private envelope: a row's envelope (several fields) never existed in that form.
    if (r.envelope.kind === 'private' && r.envelope.fields.length > 1) throw new Error(`field "${name}" is in a private envelope naming several fields, which 0190's JSON cannot hold`);
    sealed[ref(name)] = r.envelope.kind === 'private' ? `pk1.${r.envelope.batchKeyId}.${toBase64url(r.envelope.bytes)}` : aes.seal(plain[i] as string);
  });
  return [JSON.stringify(attributes), JSON.stringify(hashes), JSON.stringify(sealed)];
}

/**
 * Rewrites every packed member and snapshot of the workspace (or of one audience of it) into migration 0190's JSON
 * form, stamps untouched, for tests that need members as they were stored before the packed write path (migration
 * tests, readers on both forms, the background re-pack). Gives the number of members rewritten.
 */
export async function membersBackToJson(workspaceId = 'default', audienceId: string | null = null): Promise<number> {
  const names = await fieldNamesByRef(env.DB, workspaceId);
  const refs = new Map([...names].map(([r, n]) => [n, r]));
  type Row = { id: number; identifier_key: string; attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn };
  const { results: members } = await env.DB.prepare(
    `SELECT m.id, m.identifier_key, m.attributes, m.hashes, m.sealed FROM member_records AS m JOIN audiences AS a ON a.ref = m.audience_ref
     WHERE a.workspace_id = ?1 AND (?2 IS NULL OR a.id = ?2) AND typeof(m.attributes) = 'blob'`,
  )
    .bind(workspaceId, audienceId)
    .all<Row>();
  const { results: snapshots } = await env.DB.prepare(
    `SELECT s.import_id, s.member_id, s.attributes, s.hashes, s.sealed FROM member_snapshots AS s JOIN imports AS i ON i.id = s.import_id
     WHERE s.workspace_id = ?1 AND (?2 IS NULL OR i.audience_id = ?2) AND typeof(s.attributes) = 'blob'`,
  )
    .bind(workspaceId, audienceId)
    .all<Omit<Row, 'id' | 'identifier_key'> & { import_id: string; member_id: number }>();
  const statements: D1PreparedStatement[] = [];
  for (const m of members) {
    const [a, h, s] = await jsonColumns(decodeMemberColumns(m, names), m.identifier_key, refs, workspaceId);
    statements.push(env.DB.prepare('UPDATE member_records SET attributes = ?1, hashes = ?2, sealed = ?3 WHERE id = ?4').bind(a, h, s, m.id));
  }
  for (const s of snapshots) {
    // Written with no key markers: any key decodes it the same.
    const [a, h, sealed] = await jsonColumns(decodeMemberColumns({ ...s, identifier_key: '' }, names), null, refs, workspaceId);
    statements.push(
      env.DB.prepare('UPDATE member_snapshots SET attributes = ?1, hashes = ?2, sealed = ?3 WHERE import_id = ?4 AND member_id = ?5').bind(a, h, sealed, s.import_id, s.member_id),
    );
  }
  if (statements.length > 0) await env.DB.batch(statements);
  return members.length;
}
