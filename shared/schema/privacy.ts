import { z } from 'zod';
import { MAX_CELL_LENGTH, MAX_COLUMNS } from './limits.ts';
import { RowErrorCode } from './rowErrorCode.ts';

/**
 * Privacy mode: sensitive values never leave the tab in plain text. The tab normalises each sensitive value with
 * the shared rules, sends its SHA-256 (the ad-platform form, of hashInput(type, normalized)) and the value sealed
 * to the workspace's public key; only the Worker holds the private key.
 *
 * Sealing (hybrid; the same code in the tab, a Web Worker, workerd and Node): one ephemeral ECDH P-256 key pair per
 * batch; ECDH(ephemeral private, workspace public) → HKDF-SHA-256 → one 32-byte key per batch for the batch's
 * cipher (SealingCipher). The batch carries the ephemeral public key once; each row's sensitive values are sealed
 * together, in ONE envelope under one random 12-byte nonce (SealedCell + SealedAlongCell), so a row costs one cipher
 * call and 28 bytes of nonce and tag, not one call and 28 bytes a value (a WebCrypto AES-GCM call costs ~15 µs in
 * Chromium whatever the value's size).
 */

/**
 * The cell cipher of a privacy-mode batch: `aes-256-gcm` (WebCrypto) or `chacha20-poly1305` (@noble/ciphers, in
 * JavaScript). Which one the tab seals with is measured, not assumed (TAB_SEALING_CIPHER in
 * shared/privacy/sealBatchCells.ts); the Worker opens both. A header without `cipher` (tabs before the choice) means
 * AES-256-GCM, as do the batch keys stored before it.
 */
export const SealingCipher = z.enum(['aes-256-gcm', 'chacha20-poly1305']);
export type SealingCipher = z.infer<typeof SealingCipher>;
/** What a batch header without `cipher` (sealed before there was a choice) and a stored batch key without one mean. */
export const LEGACY_SEALING_CIPHER: SealingCipher = 'aes-256-gcm';

/** The workspace's public sealing key, as `GET /api/privacy/key` answers it. */
export const WorkspaceSealingKey = z.object({
  /** Names the key pair, so a rotated key still opens what was sealed under the old one. */
  keyId: z.string().min(1).max(64),
  /** ECDH P-256 public key as a JWK (kty EC, crv P-256, x, y): what crypto.subtle.importKey takes. */
  publicKey: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(1).max(64), y: z.string().min(1).max(64) }),
});
export type WorkspaceSealingKey = z.infer<typeof WorkspaceSealingKey>;

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'not base64url');

/**
 * Sent once per privacy-mode batch: which workspace key the batch is sealed to, the batch's ephemeral key and its
 * cell cipher (absent: AES-256-GCM, as every batch was sealed before the choice).
 */
export const BatchSealingHeader = z.object({
  keyId: z.string().min(1).max(64),
  /** The ephemeral ECDH P-256 public key, raw uncompressed point (65 bytes), base64url. */
  ephemeralKey: base64url.length(87),
  cipher: SealingCipher.optional(),
});
export type BatchSealingHeader = z.infer<typeof BatchSealingHeader>;

// What one sealed value is allowed for: a cell of MAX_CELL_LENGTH UTF-16 units at 4 UTF-8 bytes each, plus the 3-byte
// varint of that length when it shares an envelope. (NFC may lengthen a value, up to 3× for rare characters, so one
// value can pass this; the row-wide bound below has room for that in any row a batch body can carry.)
const MAX_SEALED_VALUE_BYTES = 4 * MAX_CELL_LENGTH + 3;
/**
 * The longest `c`: an envelope holding a whole row, MAX_COLUMNS sensitive cells of the longest value each, plus
 * nonce and tag, in base64url. A row of sensitive cells is bounded by nothing smaller (a mapping may mark every column
 * sensitive); in practice a batch body's MAX_BATCH_BYTES (16 MB) is the tighter bound, checked before this.
 */
export const MAX_ENVELOPE_CHARS = Math.ceil(((MAX_COLUMNS * MAX_SEALED_VALUE_BYTES + 12 + 16) * 4) / 3);
/** The shortest `c`: nonce and tag around an empty ciphertext. */
export const MIN_ENVELOPE_CHARS = 38;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 hex digest');

/**
 * A sensitive cell of a privacy-mode batch, in place of its plain value, that carries an envelope: the first sealed
 * cell of its row (or of a part of it, see SealedAlongCell).
 */
export const SealedCell = z.object({
  /** SHA-256 hex of hashInput(type, normalized value). */
  h: sha256Hex,
  /**
   * base64url(nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)) under the batch key with the batch's cipher (both
   * ciphers: same sizes). The plaintext is envelopePlaintext (shared/privacy/envelopePlaintext.ts) of this cell's
   * normalized value followed by those of the SealedAlongCells after it in the row, up to the next SealedCell, in
   * column order: a cell with none after it holds its UTF-8 value alone, as every cell did before rows were sealed
   * whole.
   */
  c: base64url.min(MIN_ENVELOPE_CHARS).max(MAX_ENVELOPE_CHARS),
});
export type SealedCell = z.infer<typeof SealedCell>;

/**
 * A sensitive cell sealed along with others: its SHA-256 only; its normalized value is in the envelope of the nearest
 * SealedCell before it in the row (blank "" and RefusedCells in between are neither envelopes nor in one). One
 * with no SealedCell before it in its row is refused (422 `privacy_mode`). Strict: `{ h, c }` with a malformed `c`
 * must fail, not pass as this with `c` stripped.
 */
export const SealedAlongCell = z.strictObject({ h: sha256Hex });
export type SealedAlongCell = z.infer<typeof SealedAlongCell>;

/**
 * A sensitive cell the tab found invalid (or empty) before sealing: the Worker reports the row with this code and
 * message and never sees the value. `hint` is the masked form the report may show (maskedHint), never the value.
 */
export const RefusedCell = z.object({
  problem: RowErrorCode,
  message: z.string().min(1).max(500),
  hint: z.string().max(40).nullable(),
});
export type RefusedCell = z.infer<typeof RefusedCell>;

export const PrivateCell = z.union([SealedCell, SealedAlongCell, RefusedCell]);
export type PrivateCell = z.infer<typeof PrivateCell>;
