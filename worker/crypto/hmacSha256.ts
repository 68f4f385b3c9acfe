/*
 * HMAC-SHA-256 (RFC 2104, FIPS 180-4) of many short messages under one key, in plain JavaScript.
 *
 * Why not crypto.subtle: a batch keys two values a row (10,000 per 5,000-row batch), and in workerd each
 * crypto.subtle.sign costs a promise, a copy in and out and a hop to native code — ≈ 3.5 µs a value, more than
 * the hash itself. The key's inner and outer pad blocks are compressed once here (the HMAC "precomputed key"
 * form), so a 64-character hex message costs three SHA-256 compressions and no allocation but its hex answer.
 * SHA-256 has no data-dependent branch or table lookup. keyedHash.test.ts and hmacSha256.test.ts hold it to
 * node:crypto's HMAC on random keys and messages of every length around the block boundaries.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** One SHA-256 compression of the 64 bytes at `bytes[at…]` into `state`, with `w` as the message schedule. */
function compress(state: Int32Array, w: Int32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    w[i] = ((bytes[j] as number) << 24) | ((bytes[j + 1] as number) << 16) | ((bytes[j + 2] as number) << 8) | (bytes[j + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15] as number;
    const y = w[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (w[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** SHA-256 of `bytes[0…length)` in one go, into `out` (32 bytes); `bytes` has room for the padding. */
function sha256Into(bytes: Uint8Array, length: number, out: Uint8Array): void {
  const state = new Int32Array(INITIAL);
  const w = new Int32Array(64);
  finish(state, w, bytes, length, 0, out);
}

const toHex = (digest: Uint8Array): string => {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += HEX[digest[i] as number];
  return hex;
};

/** Encodes text as UTF-8 into a reused buffer with room for SHA-256's padding after it. */
function utf8Scratch(): (text: string) => { bytes: Uint8Array; length: number } {
  const encoder = new TextEncoder();
  let bytes = new Uint8Array(256);
  return (text) => {
    // UTF-8 is at most 3 bytes per UTF-16 unit; the padding needs at most two blocks after the message.
    const room = text.length * 3 + 2 * BLOCK;
    if (bytes.length < room) bytes = new Uint8Array(room);
    return { bytes, length: encoder.encodeInto(text, bytes).written };
  };
}

/** SHA-256 of the UTF-8 of `text`, lowercase hex: the same as node:crypto's, without a call into native code. */
export function createSha256Hex(): (text: string) => string {
  const encode = utf8Scratch();
  const digest = new Uint8Array(32);
  return (text) => {
    const { bytes, length } = encode(text);
    sha256Into(bytes, length, digest);
    return toHex(digest);
  };
}

/**
 * Compresses the message `bytes[0…length)` (after `before` bytes already compressed into `state`), with its
 * padding, and writes the digest into `out`. `bytes` must have room for the padding: length + 72 bytes.
 */
function finish(state: Int32Array, w: Int32Array, bytes: Uint8Array, length: number, before: number, out: Uint8Array): void {
  let at = 0;
  for (; at + BLOCK <= length; at += BLOCK) compress(state, w, bytes, at);
  // Padding: 0x80, zeros, then the message length in bits (big-endian, 64 bits) at the end of the last block.
  const rest = length - at;
  const tail = rest < 56 ? BLOCK : 2 * BLOCK;
  bytes.fill(0, length, at + tail);
  bytes[length] = 0x80;
  const bits = (before + length) * 8;
  const end = at + tail;
  bytes[end - 8] = 0;
  bytes[end - 7] = 0;
  bytes[end - 6] = 0;
  bytes[end - 5] = Math.floor(bits / 2 ** 32) & 0xff;
  bytes[end - 4] = (bits >>> 24) & 0xff;
  bytes[end - 3] = (bits >>> 16) & 0xff;
  bytes[end - 2] = (bits >>> 8) & 0xff;
  bytes[end - 1] = bits & 0xff;
  for (; at < end; at += BLOCK) compress(state, w, bytes, at);
  for (let i = 0; i < 8; i++) {
    const v = state[i] as number;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 0xff;
    out[i * 4 + 2] = (v >>> 8) & 0xff;
    out[i * 4 + 3] = v & 0xff;
  }
}

export type HmacSha256 = {
  /** HMAC-SHA-256(key, UTF-8 of text), lowercase hex. */
  hex(text: string): string;
};

/** An HMAC-SHA-256 under `key` (any length; longer than a block it is hashed first, as RFC 2104 says). */
export function createHmacSha256(key: Uint8Array): HmacSha256 {
  const block = new Uint8Array(BLOCK);
  if (key.length > BLOCK) {
    const scratch = new Uint8Array(key.length + 2 * BLOCK);
    scratch.set(key);
    sha256Into(scratch, key.length, block);
  } else block.set(key);
  const w = new Int32Array(64);
  const innerStart = new Int32Array(INITIAL);
  const outerStart = new Int32Array(INITIAL);
  const pad = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) pad[i] = (block[i] as number) ^ 0x36;
  compress(innerStart, w, pad, 0);
  for (let i = 0; i < BLOCK; i++) pad[i] = (block[i] as number) ^ 0x5c;
  compress(outerStart, w, pad, 0);
  pad.fill(0);
  block.fill(0);

  const encode = utf8Scratch();
  const state = new Int32Array(8);
  const digest = new Uint8Array(32 + 2 * BLOCK);
  return {
    hex(text) {
      const { bytes, length } = encode(text);
      state.set(innerStart);
      finish(state, w, bytes, length, BLOCK, digest);
      state.set(outerStart);
      finish(state, w, digest, 32, BLOCK, digest);
      return toHex(digest);
    },
  };
}
