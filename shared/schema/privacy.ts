import { z } from 'zod';
import { RowErrorCode } from './rowErrorCode.ts';

/**
 * Privacy mode: sensitive values never leave the tab in plain text. The tab normalises each sensitive value with
 * the shared rules, sends its SHA-256 (the ad-platform form, of hashInput(type, normalized)) and the value sealed
 * to the workspace's public key; only the Worker holds the private key.
 *
 * Sealing (hybrid, WebCrypto only, so the tab, a Web Worker, workerd and Node run the same code): one ephemeral
 * ECDH P-256 key pair per batch; ECDH(ephemeral private, workspace public) → HKDF-SHA-256 → one AES-256-GCM key per
 * batch; each value gets its own random 12-byte IV. The batch carries the ephemeral public key once, each value only
 * its IV and ciphertext, so the envelope costs ~28 bytes a value, not a public key a value.
 */

/** The workspace's public sealing key, as `GET /api/privacy/key` answers it. */
export const WorkspaceSealingKey = z.object({
  /** Names the key pair, so a rotated key still opens what was sealed under the old one. */
  keyId: z.string().min(1).max(64),
  /** ECDH P-256 public key as a JWK (kty EC, crv P-256, x, y): what crypto.subtle.importKey takes. */
  publicKey: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(1).max(64), y: z.string().min(1).max(64) }),
});
export type WorkspaceSealingKey = z.infer<typeof WorkspaceSealingKey>;

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'not base64url');

/** Sent once per privacy-mode batch: which workspace key the batch is sealed to, and the batch's ephemeral key. */
export const BatchSealingHeader = z.object({
  keyId: z.string().min(1).max(64),
  /** The ephemeral ECDH P-256 public key, raw uncompressed point (65 bytes), base64url. */
  ephemeralKey: base64url.length(87),
});
export type BatchSealingHeader = z.infer<typeof BatchSealingHeader>;

/** A sensitive cell of a privacy-mode batch, in place of its plain value. */
export const SealedCell = z.object({
  /** SHA-256 hex of hashInput(type, normalized value). */
  h: z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 hex digest'),
  /**
   * base64url(IV (12 bytes) ‖ AES-GCM ciphertext ‖ tag (16 bytes)) of the normalized value, under the batch key.
   * At most: a cell of MAX_CELL_LENGTH characters of 4 UTF-8 bytes each, plus IV and tag.
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
