import { hashInput } from '../../shared/normalize/normalizeValue.ts';
import type { FieldType } from '../../shared/schema/fields.ts';
import type { KeyedHasher } from './keyedHash.ts';
import { sha256Hex, sha256HexAll } from './sha256Hex.ts';

/**
 * THE key at rest of a sensitive value — a sensitive identifier's `identifier_key` and every `hashes` entry — used
 * for dedupe and lookup: HMAC-SHA-256(HASH_KEY, SHA-256 hex of hashInput(type, normalized)). Everyone computing or
 * looking up such a key calls this (or sensitiveKeys for many), never a hash of their own.
 *
 * Why HMAC over the SHA-256 hex rather than over the value: the members stored before keyed hashes kept exactly that
 * SHA-256 hex, so sensitiveKeyOfCustomerMatchHash turns them into the same keys without the plain value (see
 * keyedHashMigration.ts). Without HASH_KEY the key cannot be recomputed from a guess: brute-forcing phone numbers
 * against a leaked database no longer works. The plain SHA-256 (Google Customer Match form) is made only when
 * exporting, from the decrypted sealed value.
 */
export function sensitiveKey(hasher: KeyedHasher, type: FieldType, normalized: string): string {
  return sensitiveKeyOfCustomerMatchHash(hasher, sha256Hex(hashInput(type, normalized)));
}

/** The key at rest for a value whose Customer Match SHA-256 hex is known (a pre-HMAC stored hash). */
export function sensitiveKeyOfCustomerMatchHash(hasher: KeyedHasher, sha256HexValue: string): string {
  return hasher.hex(sha256HexValue);
}

/** sensitiveKey for many values at once, batched (same answers). */
export async function sensitiveKeys(hasher: KeyedHasher, values: readonly { type: FieldType; normalized: string }[]): Promise<string[]> {
  const digests = await sha256HexAll(values.map((v) => hashInput(v.type, v.normalized)));
  return hasher.hexAll(digests);
}
