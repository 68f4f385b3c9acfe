import type { FieldType } from '../../shared/schema/fields.ts';
import type { KeyedHasher } from '../crypto/keyedHash.ts';
import { sensitiveKey, sensitiveKeyOfCustomerMatchHash } from '../crypto/sensitiveKey.ts';

/** How a sensitive value becomes its key at rest (sensitiveKey under the workspace's HASH_KEY, in production). */
export type SensitiveKeyOf = (type: FieldType, normalized: string) => string;

/**
 * THE key a member is found by (members.identifier_key), from the normalized identifier value: the value itself,
 * or, for a sensitive identifier, its keyed hash. Import, dry run, member search and the sealing of stored values
 * all call this one function, so a change of the keying changes them together.
 */
export function identifierKey(column: { type: FieldType; sensitive: boolean }, normalized: string, sensitiveKeyOf: SensitiveKeyOf): string {
  return column.sensitive ? sensitiveKeyOf(column.type, normalized) : normalized;
}

/** The same key from the value's SHA-256 hex of hashInput (privacy mode: the tab sends that digest, never the value). */
export type SensitiveKeyOfHash = (sha256Hex: string) => string;

/** The production SensitiveKeyOfHash: equal to keyedIdentifierHash's answer for the value the digest was made of. */
export function keyedCustomerMatchHash(hasher: KeyedHasher): SensitiveKeyOfHash {
  return (sha256Hex) => sensitiveKeyOfCustomerMatchHash(hasher, sha256Hex);
}

/** The production SensitiveKeyOf: sensitiveKey under the given keyed hasher. */
export function keyedIdentifierHash(hasher: KeyedHasher): SensitiveKeyOf {
  return (type, normalized) => sensitiveKey(hasher, type, normalized);
}
