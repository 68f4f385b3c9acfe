/*
 * SHA-256's block function on 32-bit words, for the two short messages ingest hashes by the thousand: the keyed
 * HMAC of a 64-character SHA-256 hex (two keyed values a row) and the SHA-256 of a short ASCII value (server-side
 * sealing). Through @noble/hashes each such value costs a state copy, a byte encoding, padding written into a buffer
 * and a fresh schedule per block (≈ 2.5 µs an HMAC in Node); here the words come straight from the string's char
 * codes, the padding block of a 64-byte message is expanded once, and nothing is allocated but the hex answer.
 * Only those fixed shapes take this path (hmacSha256.ts); everything else stays with noble. Tested against
 * node:crypto on random inputs (hmacSha256.test.ts).
 */

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The initial hash value (FIPS 180-4 §5.3.3). */
export const SHA256_IV: readonly number[] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Fills w[16..63] from the block's words w[0..15] (the message schedule). */
export function expandSchedule(w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
}

/** The 64 rounds of one block whose schedule `w` is already expanded, added into `state` (8 words). */
export function compressScheduled(state: Int32Array, w: Int32Array): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** One block: expand w[0..15] in place, then compress it into `state`. */
export function compressBlock(state: Int32Array, w: Int32Array): void {
  expandSchedule(w);
  compressScheduled(state, w);
}

/** Big-endian words of `bytes` (a multiple of 4 long): how SHA-256 reads a block. */
export function wordsOf(bytes: Uint8Array): Int32Array {
  const w = new Int32Array(bytes.length / 4);
  for (let i = 0; i < w.length; i++) w[i] = (bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!;
  return w;
}

const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const hexBytes = new Uint8Array(64);
const ascii = new TextDecoder();

/**
 * The 8 words of a digest as 64 lowercase hex characters. Decoded from bytes in one call rather than concatenated
 * from 32 pairs: the answer is one flat string, not a chain of 31 pieces that the Map or JSON it goes into must
 * flatten first (in workerd, made and used as a key: ≈ 0.45 against 0.55–0.7 µs a value).
 */
export function stateHex(state: Int32Array): string {
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    for (let j = 0; j < 8; j++) hexBytes[i * 8 + j] = HEX_DIGITS[(v >>> (28 - 4 * j)) & 15]!;
  }
  return ascii.decode(hexBytes);
}
