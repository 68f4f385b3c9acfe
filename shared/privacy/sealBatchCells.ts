import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { hashInput } from '../normalize/normalizeValue.ts';
import type { FieldType } from '../schema/fields.ts';
import type { BatchSealingHeader, SealedCell, WorkspaceSealingKey } from '../schema/privacy.ts';
import { toBase64url } from './base64url.ts';
import { deriveBatchKey, generateEphemeralKeyPair, importWorkspacePublicKey, IV_BYTES } from './batchKey.ts';

// Encryptions started together and awaited once, a slice at a time: awaiting crypto.subtle value by value is several
// times slower (see worker/crypto/batchSealer.ts), and a slice bounds the pending promises and buffers. Measured in
// Chromium (100,000 values, machine under load): slices of 512 took 0.7× the wall time of slices of 4,096.
const SLICE = 512;
// 12 bytes are exactly 16 base64url characters, so base64url(iv ‖ body) = base64url(iv) + base64url(body).
const IV_CHARS = 16;

export type CellToSeal = { type: FieldType; normalized: string };

/**
 * Seals one batch's sensitive values to the workspace's public key (see batchKey.ts for the derivation): one
 * ephemeral ECDH P-256 pair per call, each value under its own random 12-byte IV. Each cell gets `h`, the SHA-256
 * hex of hashInput(type, normalized) — the same digest the Worker's sensitiveKey keys — and `c`,
 * base64url(iv ‖ ciphertext ‖ tag) of the normalized value. `cells` must hold valid, normalized, non-blank values
 * (checkSensitiveCell); answers in the same order.
 */
export async function sealBatchCells(
  key: WorkspaceSealingKey,
  cells: readonly CellToSeal[],
): Promise<{ sealing: BatchSealingHeader; cells: SealedCell[] }> {
  const [workspaceKey, ephemeral] = await Promise.all([importWorkspacePublicKey(key), generateEphemeralKeyPair()]);
  const ephemeralKey = toBase64url(new Uint8Array((await crypto.subtle.exportKey('raw', ephemeral.publicKey)) as ArrayBuffer));
  const batchKey = await deriveBatchKey(ephemeral.privateKey, workspaceKey, key.keyId, ephemeralKey, 'encrypt');
  const encoder = new TextEncoder();
  // One buffer the values are encoded into, one at a time, instead of a fresh Uint8Array each (two per value): each
  // of those is memory outside the JS heap that lingers until a GC. Reusing it is safe because encrypt copies its input when called (WebCrypto: "a copy of the bytes held by the data
  // parameter") and sha256 runs to the end at once.
  let scratch = new Uint8Array(1_024);
  const utf8 = (text: string): Uint8Array<ArrayBuffer> => {
    if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
    return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
  };
  const n = cells.length;
  const out: SealedCell[] = new Array(n);
  for (let from = 0; from < n; from += SLICE) {
    const to = Math.min(from + SLICE, n);
    const ivs = new Uint8Array(IV_BYTES * (to - from));
    // getRandomValues fills at most 65,536 bytes a call: a slice's IVs (6,144 bytes) fit in one.
    crypto.getRandomValues(ivs);
    const sealed: Promise<ArrayBuffer>[] = new Array(to - from);
    const hashes: string[] = new Array(to - from);
    for (let i = from; i < to; i++) {
      const { type, normalized } = cells[i] as CellToSeal;
      const iv = ivs.subarray((i - from) * IV_BYTES, (i - from + 1) * IV_BYTES);
      sealed[i - from] = crypto.subtle.encrypt({ name: 'AES-GCM', iv }, batchKey, utf8(normalized));
      // SHA-256 in JavaScript (@noble/hashes), here while the encryptions run: a crypto.subtle digest of a value this
      // short is a round trip to the browser's crypto thread that costs more than the hash itself (in Chromium,
      // under load, 2× the wall time of the JavaScript hash for the same CPU). SHA-256 has no table look-ups or
      // data-dependent branches, so the JavaScript one tells no more by its timing; the AES key stays in WebCrypto.
      hashes[i - from] = bytesToHex(sha256(utf8(hashInput(type, normalized))));
    }
    const bodies = await Promise.all(sealed);
    const ivText = toBase64url(ivs);
    for (let i = from; i < to; i++) {
      const k = i - from;
      out[i] = {
        h: hashes[k] as string,
        c: ivText.slice(k * IV_CHARS, (k + 1) * IV_CHARS) + toBase64url(new Uint8Array(bodies[k] as ArrayBuffer)),
      };
    }
  }
  return { sealing: { keyId: key.keyId, ephemeralKey }, cells: out };
}
