import { _HMAC, hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { compressBlock, compressScheduled, expandSchedule, SHA256_IV, stateHex, wordsOf } from './sha256Block.ts';

/*
 * HMAC-SHA-256 and SHA-256 of many short messages, in JavaScript (@noble/hashes, audited, already a dependency of
 * the tab's sealing).
 *
 * Why not crypto.subtle: a batch keys two values a row (10,000 per 5,000-row batch), and in workerd each
 * crypto.subtle.sign costs a promise, a copy in and out and a hop to native code — ≈ 3.5 µs a value, more than
 * the hash itself. The keyed state (the key's inner and outer pads already absorbed) is made once and copied into
 * one reused instance per message (`_cloneInto`, noble's way of re-using a keyed HMAC), and the message is encoded
 * into one reused buffer: ≈ 2.5 µs a 64-character value in Node, against ≈ 8 µs for `hmac(sha256, key, msg)`
 * allocating everything each time. The two shapes ingest hashes by the thousand go faster still through
 * sha256Block.ts: a 64-character SHA-256 hex keyed (≈ 1.3–1.5 µs) and a short ASCII value's SHA-256 (≈ 0.75 µs,
 * against 1.55). keyedHash.test.ts and hmacSha256.test.ts hold both paths to node:crypto.
 */

/** Encodes text as UTF-8 into a reused buffer (grown when a longer text comes). */
function utf8Scratch(): (text: string) => Uint8Array {
  const encoder = new TextEncoder();
  let bytes = new Uint8Array(256);
  return (text) => {
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    if (bytes.length < text.length * 3) bytes = new Uint8Array(text.length * 3);
    return bytes.subarray(0, encoder.encodeInto(text, bytes).written);
  };
}

/** An ASCII text short enough for one block (with its padding) is hashed from its char codes (sha256Block.ts). */
const ONE_BLOCK_CHARS = 55;

/**
 * The single block of `text` (ASCII, at most 55 characters) with SHA-256's padding, in `w[0..15]`; false when a
 * character is not ASCII (its UTF-8 is more than one byte).
 */
function paddedAsciiBlock(text: string, w: Int32Array): boolean {
  w.fill(0, 0, 16);
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return false;
    w[i >> 2] = w[i >> 2]! | (c << (24 - 8 * (i & 3)));
  }
  w[n >> 2] = w[n >> 2]! | (0x80 << (24 - 8 * (n & 3)));
  w[15] = n * 8;
  return true;
}

/** SHA-256 of the UTF-8 of `text`, lowercase hex: the same as node:crypto's, without a call into native code. */
export function createSha256Hex(): (text: string) => string {
  const encode = utf8Scratch();
  const digest = new Uint8Array(32);
  const w = new Int32Array(64);
  const state = new Int32Array(8);
  return (text) => {
    if (text.length <= ONE_BLOCK_CHARS && paddedAsciiBlock(text, w)) {
      state.set(SHA256_IV);
      compressBlock(state, w);
      return stateHex(state);
    }
    const h = sha256.create();
    h.update(encode(text));
    h.digestInto(digest);
    return bytesToHex(digest);
  };
}

export type HmacSha256 = {
  /** HMAC-SHA-256(key, UTF-8 of text), lowercase hex. */
  hex(text: string): string;
};

/** The state after one block of the key (padded to 64 bytes) XOR `pad`: an HMAC's inner or outer start. */
function keyedState(block: Uint8Array, pad: number): Int32Array {
  const w = new Int32Array(64);
  w.set(wordsOf(block.map((b) => b ^ pad)));
  const state = Int32Array.from(SHA256_IV);
  compressBlock(state, w);
  return state;
}

/** The expanded schedule of the padding block that ends a 128-byte message (a key block and a 64-byte message). */
function paddingSchedule(messageBytes: number): Int32Array {
  const w = new Int32Array(64);
  w[0] = 0x80000000 | 0;
  w[15] = messageBytes * 8;
  expandSchedule(w);
  return w;
}

/** The keyed message every ingest HMAC has: a SHA-256 hex, 64 ASCII characters, exactly one block. */
const HEX_DIGEST_CHARS = 64;

/**
 * An HMAC-SHA-256 under `key` (any length; longer than a block it is hashed first, as RFC 2104 says). A message of
 * 64 ASCII characters (a SHA-256 hex: every keyed value on ingest) takes three compressions from the keyed states,
 * the second with a schedule made once; any other message goes through noble's HMAC.
 */
export function createHmacSha256(key: Uint8Array): HmacSha256 {
  const keyed = hmac.create(sha256, key);
  const encode = utf8Scratch();
  const digest = new Uint8Array(32);
  let scratch: _HMAC<ReturnType<typeof sha256.create>> | undefined;
  const block = new Uint8Array(64);
  block.set(key.length > 64 ? sha256(key) : key);
  const inner = keyedState(block, 0x36);
  const outer = keyedState(block, 0x5c);
  const innerPadding = paddingSchedule(64 + HEX_DIGEST_CHARS);
  const w = new Int32Array(64);
  const state = new Int32Array(8);
  /** The fast path; null when a character is not ASCII. */
  const hexOfAscii64 = (text: string): string | null => {
    for (let i = 0; i < 16; i++) {
      const c0 = text.charCodeAt(4 * i);
      const c1 = text.charCodeAt(4 * i + 1);
      const c2 = text.charCodeAt(4 * i + 2);
      const c3 = text.charCodeAt(4 * i + 3);
      if ((c0 | c1 | c2 | c3) > 0x7f) return null;
      w[i] = (c0 << 24) | (c1 << 16) | (c2 << 8) | c3;
    }
    state.set(inner);
    compressBlock(state, w);
    compressScheduled(state, innerPadding);
    // The outer hash: the keyed outer state, then the inner digest (32 bytes) and its padding in one block.
    for (let i = 0; i < 8; i++) w[i] = state[i]!;
    w[8] = 0x80000000 | 0;
    w.fill(0, 9, 15);
    w[15] = (64 + 32) * 8;
    state.set(outer);
    compressBlock(state, w);
    return stateHex(state);
  };
  return {
    hex(text) {
      if (text.length === HEX_DIGEST_CHARS) {
        const fast = hexOfAscii64(text);
        if (fast !== null) return fast;
      }
      scratch = keyed._cloneInto(scratch);
      scratch.update(encode(text));
      scratch.digestInto(digest);
      return bytesToHex(digest);
    },
  };
}
