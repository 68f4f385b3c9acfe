import { hashInput } from '../../shared/normalize/normalizeValue.ts';
import type { FieldType } from '../../shared/schema/fields.ts';
import { sha256Hex } from '../crypto/sha256Hex.ts';

/**
 * THE key a member is found by (members.identifier_key), from the normalized identifier value: the value itself,
 * or, for a sensitive identifier, the hash of its hash input. Import, dry run and member search all call this one
 * function, so a change of the hashing (e.g. to a keyed hash) changes them together.
 */
export function identifierKey(column: { type: FieldType; sensitive: boolean }, normalized: string): string {
  return column.sensitive ? sha256Hex(hashInput(column.type, normalized)) : normalized;
}
