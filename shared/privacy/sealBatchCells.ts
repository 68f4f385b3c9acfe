import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { hashInput } from '../normalize/normalizeValue.ts';
import type { FieldType } from '../schema/fields.ts';
import type { BatchSealingHeader, SealedAlongCell, SealedCell, SealingCipher, WorkspaceSealingKey } from '../schema/privacy.ts';
import { toBase64url } from './base64url.ts';
import { EnvelopePlaintextWriter } from './envelopePlaintext.ts';
import { deriveBatchKey, generateEphemeralKeyPair, importWorkspacePublicKey, IV_BYTES, TAG_BYTES } from './batchKey.ts';

// Nonces come from one getRandomValues per slice, and AES-GCM's encryptions are started together and awaited once a
// slice at a time: awaiting crypto.subtle row by row is several times slower (see worker/crypto/batchSealer.ts),
// and a slice bounds the pending promises and buffers. Measured in Chromium (100,000 values, one a call, machine
// under load): slices of 512 calls took 0.7× the wall time of slices of 4,096.
const SLICE = 512;
// 12 bytes are exactly 16 base64url characters, so base64url(iv ‖ body) = base64url(iv) + base64url(body).
const IV_CHARS = 16;

/**
 * What the tab seals new batches with. Measured in Chromium 150's Web Worker on this 2-core machine (20 × 10,000
 * values, the whole of this function, CPU of every Chromium thread): AES-256-GCM through WebCrypto 15.1–15.8 µs a
 * value, ChaCha20-Poly1305 from @noble/ciphers 17.1–18.3. noble's ChaCha core is cheap, but each call allocates
 * (key and nonce copies, typed-array views, a Poly1305 state): ~80 % of its time for a 30-byte value, and typed
 * arrays cost more in Chromium than in Node, where the same library took 7.8 µs against WebCrypto's 20. So the tab
 * keeps AES-GCM; both ciphers open everywhere, so a faster ChaCha20-Poly1305 (WebCrypto's, when Chromium ships it)
 * is this one constant. With one call a row (two values, CPU of all Chromium's processes): AES-GCM 18.0 µs a row,
 * ChaCha20-Poly1305 22.0 — still AES-GCM.
 */
export const TAB_SEALING_CIPHER: SealingCipher = 'aes-256-gcm';

export type CellToSeal = { type: FieldType; normalized: string };

/**
 * One row's sealed cells, in the order its values were given (column order): the first carries the row's envelope
 * (SealedCell `{ h, c }`), each other one its SHA-256 only (SealedAlongCell `{ h }`); none for a row of no values.
 */
export type SealedRowCells = (SealedCell | SealedAlongCell)[];

/**
 * Seals one batch's sensitive values to the workspace's public key (see batchKey.ts for the derivation): one
 * ephemeral ECDH P-256 pair per call, and ONE envelope per row under its own random 12-byte nonce, holding
 * envelopePlaintext of the row's values in the order given (a row of one value: its UTF-8 alone, as values were
 * sealed one by one before). Each cell gets `h`, the SHA-256 hex of hashInput(type, normalized) — the same digest
 * the Worker's sensitiveKey keys; the row's first cell also gets `c`, base64url(nonce ‖ ciphertext ‖ tag). One
 * cipher call a row, not a value: in Chromium a WebCrypto AES-GCM call costs ~15 µs whatever the value's size.
 * `rows` must hold valid, normalized, non-blank values (checkSensitiveCell) in the row's column order; answers row
 * by row in the same order. A random 96-bit nonce per row is safe here because a key seals one batch (at most
 * MAX_BATCH_ROWS envelopes, far below the 2^32 where random nonces start to risk a repeat).
 */
export async function sealBatchCells(
  key: WorkspaceSealingKey,
  rows: readonly (readonly CellToSeal[])[],
  cipher: SealingCipher = TAB_SEALING_CIPHER,
): Promise<{ sealing: BatchSealingHeader; rows: SealedRowCells[] }> {
  const [workspaceKey, ephemeral] = await Promise.all([importWorkspacePublicKey(key), generateEphemeralKeyPair()]);
  const ephemeralKey = toBase64url(new Uint8Array((await crypto.subtle.exportKey('raw', ephemeral.publicKey)) as ArrayBuffer));
  const batchKey = await deriveBatchKey(ephemeral.privateKey, workspaceKey, key.keyId, ephemeralKey, cipher, 'encrypt');
  const encoder = new TextEncoder();
  // One buffer the hash inputs are encoded into, one at a time, and one the plaintexts are written into, instead of
  // fresh Uint8Arrays (two per value): each of those is memory outside the JS heap that lingers until a GC. Reusing
  // them is safe because each use ends before the next: WebCrypto's encrypt copies its input when called ("a copy of
  // the bytes held by the data parameter"), ChaCha20-Poly1305 and sha256 run to the end at once.
  let scratch = new Uint8Array(1_024);
  const utf8 = (text: string): Uint8Array<ArrayBuffer> => {
    if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
    return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
  };
  const plaintexts = new EnvelopePlaintextWriter();
  const plaintextOf = (cells: readonly CellToSeal[]) => plaintexts.write(cells.map((c) => c.normalized));
  const seal = batchKey.cipher === 'chacha20-poly1305' ? sealSliceChaCha(batchKey.key, utf8, plaintextOf) : sealSliceAesGcm(batchKey.key, utf8, plaintextOf);
  const n = rows.length;
  const out: SealedRowCells[] = new Array(n);
  for (let from = 0; from < n; from += SLICE) {
    const to = Math.min(from + SLICE, n);
    const ivs = new Uint8Array(IV_BYTES * (to - from));
    // getRandomValues fills at most 65,536 bytes a call: a slice's nonces (6,144 bytes) fit in one.
    crypto.getRandomValues(ivs);
    await seal(rows, from, to, ivs, out);
  }
  return { sealing: { keyId: key.keyId, ephemeralKey, cipher }, rows: out };
}

type SealSlice = (rows: readonly (readonly CellToSeal[])[], from: number, to: number, ivs: Uint8Array, out: SealedRowCells[]) => Promise<void> | void;
type PlaintextOf = (cells: readonly CellToSeal[]) => Uint8Array<ArrayBuffer>;

// SHA-256 in JavaScript (@noble/hashes): a crypto.subtle digest of a value this short is a round trip to the browser's
// crypto thread that costs more than the hash itself (in Chromium, under load, 2× the wall time of the JavaScript hash
// for the same CPU). SHA-256 has no table look-ups or data-dependent branches, so the JavaScript one tells no more by
// its timing.
const digestOf = (cell: CellToSeal, utf8: (text: string) => Uint8Array): string => bytesToHex(sha256(utf8(hashInput(cell.type, cell.normalized))));

/** A row's cells: the envelope on the first, the digests on all (hashes[k] is cells[k]'s). */
function rowCells(hashes: readonly string[], c: string): SealedRowCells {
  const cells: SealedRowCells = new Array(hashes.length);
  cells[0] = { h: hashes[0] as string, c };
  for (let k = 1; k < hashes.length; k++) cells[k] = { h: hashes[k] as string };
  return cells;
}

/**
 * ChaCha20-Poly1305 in this thread: each envelope written into one reused buffer (nonce, then the cipher's output
 * in place after it) and turned into base64url at once. ChaCha20 is add-rotate-xor only, so a JavaScript
 * implementation leaks nothing by its timing either (unlike a table-based AES).
 */
function sealSliceChaCha(key: Uint8Array, utf8: (text: string) => Uint8Array, plaintextOf: PlaintextOf): SealSlice {
  let envelope = new Uint8Array(1_024);
  return (rows, from, to, ivs, out) => {
    for (let i = from; i < to; i++) {
      const cells = rows[i] as readonly CellToSeal[];
      if (cells.length === 0) {
        out[i] = [];
        continue;
      }
      const plain = plaintextOf(cells);
      const size = IV_BYTES + plain.length + TAG_BYTES;
      if (size > envelope.length) envelope = new Uint8Array(size * 2);
      const nonce = envelope.subarray(0, IV_BYTES);
      nonce.set(ivs.subarray((i - from) * IV_BYTES, (i - from + 1) * IV_BYTES));
      chacha20poly1305(key, nonce).encrypt(plain, envelope.subarray(IV_BYTES, size));
      const c = toBase64url(envelope.subarray(0, size));
      out[i] = rowCells(
        cells.map((cell) => digestOf(cell, utf8)),
        c,
      );
    }
  };
}

/** AES-256-GCM through WebCrypto, a slice's encryptions started together, the hashes computed while they run. */
function sealSliceAesGcm(key: CryptoKey, utf8: (text: string) => Uint8Array<ArrayBuffer>, plaintextOf: PlaintextOf): SealSlice {
  return async (rows, from, to, ivs, out) => {
    const sealed: (Promise<ArrayBuffer> | null)[] = new Array(to - from);
    const hashes: string[][] = new Array(to - from);
    for (let i = from; i < to; i++) {
      const cells = rows[i] as readonly CellToSeal[];
      if (cells.length === 0) {
        sealed[i - from] = null;
        continue;
      }
      const iv = ivs.subarray((i - from) * IV_BYTES, (i - from + 1) * IV_BYTES) as Uint8Array<ArrayBuffer>;
      sealed[i - from] = crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintextOf(cells));
      hashes[i - from] = cells.map((cell) => digestOf(cell, utf8));
    }
    const bodies = await Promise.all(sealed);
    const ivText = toBase64url(ivs);
    for (let i = from; i < to; i++) {
      const k = i - from;
      const body = bodies[k];
      out[i] = body ? rowCells(hashes[k] as string[], ivText.slice(k * IV_CHARS, (k + 1) * IV_CHARS) + toBase64url(new Uint8Array(body))) : [];
    }
  };
}
