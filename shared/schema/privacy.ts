import { z } from 'zod';
import { RowErrorCode } from './rowErrorCode.ts';

/**
 * Privacy mode: sensitive values never leave the tab in plain text. The tab normalises each sensitive value with
 * the shared rules, sends its SHA-256 (the ad-platform form, of hashInput(type, normalized)) and the value sealed
 * to the workspace's public key; only the Worker holds the private key.
 *
 * Sealing (hybrid; the same code in the tab, a Web Worker, workerd and Node): one ephemeral ECDH P-256 key pair per
 * batch; ECDH(ephemeral private, workspace public) → HKDF-SHA-256 → one 32-byte key per batch for the batch's
 * cipher (SealingCipher); each value gets its own random 12-byte nonce. The batch carries the ephemeral public key
 * once, each value only its nonce, ciphertext and tag, so the envelope costs 28 bytes a value, not a public key a value.
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

/** A sensitive cell of a privacy-mode batch, in place of its plain value. */
export const SealedCell = z.object({
  /** SHA-256 hex of hashInput(type, normalized value). */
  h: z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 hex digest'),
  /**
   * base64url(nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)) of the normalized value, under the batch key with the
   * batch's cipher (both ciphers: same sizes). At most: a cell of MAX_CELL_LENGTH characters of 4 UTF-8 bytes each,
   * plus nonce and tag.
   */
  c: base64url.min(38).max(53_400),
});
export type SealedCell = z.infer<typeof SealedCell>;

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

export const PrivateCell = z.union([SealedCell, RefusedCell]);
export type PrivateCell = z.infer<typeof PrivateCell>;
