import { DomainError } from '../domainError.ts';
import { jsonChunks } from '../store/jsonChunks.ts';
import type { KeyedHasher } from './keyedHash.ts';
import { sensitiveKeyOfCustomerMatchHash } from './sensitiveKey.ts';

/** Rows read and rewritten per statement pair. */
const ROWS_PER_STEP = 1_000;
/** Rows one request rewrites at the most before answering (≈ 0.2 s measured locally per 1,000 rows with hashes). */
export const ROWS_PER_REQUEST = 10_000;

type UnkeyedRow = { id: number; identifier_key: string; hashes: string };

/**
 * A hash_scheme 0 row's hashes (migration 0190's JSON: keyed by field number, a value equal to identifier_key stored
 * as the number 0) with the marker written out, so the identifier's plain SHA-256 is re-keyed like the others.
 */
function hashesOf(row: UnkeyedRow): Record<string, string> {
  const stored = JSON.parse(row.hashes) as Record<string, string | 0>;
  const out: Record<string, string> = {};
  for (const [ref, value] of Object.entries(stored)) out[ref] = value === 0 ? row.identifier_key : value;
  return out;
}

/** The keyed form of one pre-HMAC row: every hash, and the identifier key when it is one of them (a sensitive identifier). */
export function keyedRow(hasher: KeyedHasher, identifierKey: string, hashes: Record<string, string>): { identifierKey: string; hashes: Record<string, string> } {
  const plain = new Set(Object.values(hashes));
  const keyed: Record<string, string> = {};
  for (const [field, sha256] of Object.entries(hashes)) keyed[field] = sensitiveKeyOfCustomerMatchHash(hasher, sha256);
  return { identifierKey: plain.has(identifierKey) ? sensitiveKeyOfCustomerMatchHash(hasher, identifierKey) : identifierKey, hashes: keyed };
}

/**
 * Rewrites up to `maxRows` members still holding plain SHA-256 (hash_scheme 0, see migrations/0050_keyed_hashes.sql; rows live in member_records since 0140)
 * into their keyed form, in steps of ROWS_PER_STEP. Each row's UPDATE is guarded by `hash_scheme = 0` and sets 1:
 * two requests racing over the same rows rewrite each once (the second finds nothing to match). Across all
 * workspaces on purpose: the secret is the Worker's, not a workspace's, and no row may stay behind.
 * Answers how many rows are left (0: done).
 *
 * Only JSON rows can be hash_scheme 0: a packed row (BLOB columns, packedColumns.ts) is always written keyed (the
 * column's default is 1) and keeps 128 bits of each hash, from which no re-key is possible. Both statements name
 * JSON rows only, so a packed row could never be rewritten here as if it held text.
 */
export async function rewriteUnkeyedMembers(db: D1Database, hasher: KeyedHasher, maxRows: number): Promise<number> {
  let done = 0;
  for (;;) {
    const { results } = await db
      .prepare("SELECT id, identifier_key, hashes FROM member_records WHERE hash_scheme = 0 AND typeof(hashes) = 'text' ORDER BY id LIMIT ?")
      .bind(Math.min(ROWS_PER_STEP, Math.max(1, maxRows - done)))
      .all<UnkeyedRow>();
    if (results.length === 0) return 0;
    if (done >= maxRows) return results.length;
    const rewritten = results.map((r) => {
      const keyed = keyedRow(hasher, r.identifier_key, hashesOf(r));
      return [r.id, keyed.identifierKey, keyed.hashes];
    });
    await db.batch(
      jsonChunks(rewritten).map((json) =>
        db
          .prepare(
            `UPDATE member_records SET identifier_key = j.value ->> 1, hashes = j.value -> 2, hash_scheme = 1
             FROM json_each(?) AS j WHERE member_records.id = j.value ->> 0 AND member_records.hash_scheme = 0 AND typeof(member_records.hashes) = 'text'`,
          )
          .bind(json),
      ),
    );
    done += results.length;
  }
}

/**
 * Call before anything that computes or looks up a sensitive key in stored members (a batch's dedupe, a search by
 * identifier): a row still holding a plain SHA-256 would not match its keyed form, and a merge into it would mix
 * both forms. Rewrites what is left (up to ROWS_PER_REQUEST); if rows remain after that, answers 503
 * `upgrading_hashes` — retryable, and each retry moves the rewrite on. Once done, it costs one probe of an empty
 * partial index per call.
 */
export async function ensureKeyedMembers(db: D1Database, hasher: KeyedHasher): Promise<void> {
  const left = await rewriteUnkeyedMembers(db, hasher, ROWS_PER_REQUEST);
  if (left > 0) {
    throw new DomainError('upgrading_hashes', 'stored sensitive values are being re-keyed after an upgrade; try again in a moment', {
      rewrittenPerRequest: ROWS_PER_REQUEST,
    });
  }
}
