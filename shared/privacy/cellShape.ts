import {
  type BatchSealingHeader,
  MAX_ENVELOPE_CHARS,
  MIN_ENVELOPE_CHARS,
  type PrivateCell,
  type RefusedCell,
  type SealedAlongCell,
  type SealedCell,
  SealingCipher,
} from '../schema/privacy.ts';
import { isBase64url } from './base64url.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const EPHEMERAL_KEY_CHARS = 87;

/**
 * What is wrong with a sealed cell's shape (a SHA-256 hex `h`, an envelope `c` long enough to hold IV and tag), or
 * null. Cheap, no decryption: what anyone without the private key can check. The zod schema (SealedCell) says the
 * same at the API's boundary; this is for code holding cells already typed.
 */
export function sealedCellProblem(cell: SealedCell): string | null {
  if (typeof cell.h !== 'string' || !SHA256_HEX.test(cell.h)) return 'h is not a SHA-256 hex digest';
  if (typeof cell.c !== 'string' || cell.c.length < MIN_ENVELOPE_CHARS) return 'c is too short to hold IV and tag';
  if (cell.c.length > MAX_ENVELOPE_CHARS) return 'c is longer than a row of sensitive values can seal to';
  if (!isBase64url(cell.c)) return 'c is not base64url';
  return null;
}

/** The same for a batch's sealing header: a keyId, an 87-character base64url raw P-256 point, a known cipher or none. */
export function sealingHeaderProblem(header: BatchSealingHeader): string | null {
  if (typeof header.keyId !== 'string' || header.keyId.length === 0 || header.keyId.length > 64) return 'keyId is missing';
  if (typeof header.ephemeralKey !== 'string' || header.ephemeralKey.length !== EPHEMERAL_KEY_CHARS || !isBase64url(header.ephemeralKey)) {
    return 'ephemeralKey is not a base64url P-256 point';
  }
  if (header.cipher !== undefined && !SealingCipher.options.includes(header.cipher)) return 'cipher is not one this code opens';
  return null;
}

/** A cell carrying an envelope (`{ h, c }`). */
export const isSealedCell = (cell: PrivateCell): cell is SealedCell => 'c' in cell;
/** A cell whose value is in the envelope of the SealedCell before it in its row (`{ h }`). */
export const isSealedAlongCell = (cell: PrivateCell): cell is SealedAlongCell => 'h' in cell && !('c' in cell);
export const isRefusedCell = (cell: PrivateCell): cell is RefusedCell => 'problem' in cell;
