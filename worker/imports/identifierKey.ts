import { hashInput } from '../../shared/normalize/normalizeValue.ts';
import type { FieldType } from '../../shared/schema/fields.ts';
import { sha256Hex } from '../crypto/sha256Hex.ts';

/**
 * The one place that turns a normalized identifier into the key members are deduplicated on: the value itself, or
 * for a sensitive identifier the SHA-256 hex of its hash input (so dedupe works without the plain value). Batches
 * and the sealing of stored values both call this, so a change of keying (e.g. a keyed hash) is made here once.
 */
export function identifierKey(type: FieldType, normalized: string, sensitive: boolean): string {
  return sensitive ? sha256Hex(hashInput(type, normalized)) : normalized;
}
