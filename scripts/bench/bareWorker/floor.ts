/*
 * The floor under the product's ingest (issue 12's ratio goals): a batch written by the bare Worker's insert after
 * doing ONLY the work the issue itself requires of every stored member, with the product's own functions, and
 * nothing else (no auth, no plan, no normalisation or validation of plain cells, no dedupe read, no bookkeeping):
 * - server-side sealing: each sensitive value keyed (sensitiveKey: SHA-256 of its hashInput, then HMAC under the
 *   hash key) and the member's sensitive values sealed in one AES-256-GCM envelope (createBatchSealer);
 * - privacy mode: the body's shape checked (isPlainlyValidBatchBody, what the product checks before anything), each
 *   sealed cell's digest keyed (HMAC), its envelope base64url-decoded and stored as sent.
 * The product can be no faster than this; the distance from this to the bare write is what the requirements cost.
 */
import { fromBase64url } from '../../../shared/privacy/base64url.ts';
import { isPlainlyValidBatchBody } from '../../../shared/schema/batchBodyCheck.ts';
import type { FieldType } from '../../../shared/schema/fields.ts';
import { createBatchSealer } from '../../../worker/crypto/batchSealer.ts';
import { createKeyedHasher, type KeyedHasher } from '../../../worker/crypto/keyedHash.ts';
import { sensitiveKey, sensitiveKeyOfCustomerMatchHash } from '../../../worker/crypto/sensitiveKey.ts';
import type { MemberWrite } from '../../../worker/store/members.ts';
import { envelopePlaintext, type SealedEnvelope } from '../../../worker/store/packedColumns.ts';

/** The bench file's sensitive columns and their types (scripts/bench/measureIngest.ts BENCH_SENSITIVE). */
export type SensitiveColumn = { index: number; type: FieldType };

// Fixed keys: the floor measures work, not secrecy.
const hasher: Promise<KeyedHasher> = createKeyedHasher(new Uint8Array(32).fill(7));
const sealer = createBatchSealer(new Uint8Array(32).fill(9));

/** Server-side sealing's required work for plain rows: keyed hashes and one envelope per member. */
export async function serverFloorWrites(fields: readonly string[], sensitive: readonly SensitiveColumn[], rows: readonly { values: string[] }[]): Promise<MemberWrite[]> {
  const keyed = await hasher;
  const isSensitive = new Set(sensitive.map((s) => s.index));
  const plaintexts: Uint8Array[] = new Array(rows.length);
  const writes = rows.map((r, n): MemberWrite => {
    const attributes: Record<string, string> = {};
    const hashes: Record<string, string> = {};
    const values: string[] = [];
    for (let i = 0; i < fields.length; i++) if (!isSensitive.has(i)) attributes[fields[i] as string] = r.values[i] ?? '';
    for (const { index, type } of sensitive) {
      const value = r.values[index] ?? '';
      hashes[fields[index] as string] = sensitiveKey(keyed, type, value);
      values.push(value);
    }
    plaintexts[n] = envelopePlaintext(values);
    return { key: r.values[0] ?? '', attributes, hashes, sealed: [] };
  });
  const sealed = await (await sealer)(plaintexts);
  const sealedFields = sensitive.map((s) => fields[s.index] as string);
  writes.forEach((w, n) => w.sealed.push({ kind: 'server', fields: sealedFields, bytes: sealed[n] as Uint8Array }));
  return writes;
}

type Cell = string | { h: string; c?: string } | { problem: string };

/** Privacy mode's required work for a batch as the tab sends it; null when its shape is not plainly valid. */
export async function privateFloorWrites(fields: readonly string[], body: unknown): Promise<MemberWrite[] | null> {
  if (!isPlainlyValidBatchBody(body)) return null;
  const keyed = await hasher;
  return body.rows.map((r): MemberWrite => {
    const attributes: Record<string, string> = {};
    const hashes: Record<string, string> = {};
    const sealed: SealedEnvelope[] = [];
    const values = r.values as Cell[];
    let envelope: SealedEnvelope | undefined;
    for (let i = 0; i < values.length; i++) {
      const cell = values[i] as Cell;
      const field = fields[i] as string;
      if (typeof cell === 'string') {
        attributes[field] = cell;
        continue;
      }
      if (!('h' in cell)) continue;
      hashes[field] = sensitiveKeyOfCustomerMatchHash(keyed, cell.h);
      if (cell.c !== undefined) {
        // A cell with `c` opens an envelope; cells after it with only `h` are sealed in it (one envelope a row).
        envelope = { kind: 'private', fields: [field], batchKeyId: 'floor-batch', bytes: fromBase64url(cell.c) };
        sealed.push(envelope);
      } else (envelope?.fields as string[] | undefined)?.push(field);
    }
    return { key: typeof values[0] === 'string' ? values[0] : '', attributes, hashes, sealed };
  });
}
