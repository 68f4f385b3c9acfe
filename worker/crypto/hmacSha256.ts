import { _HMAC, hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/*
 * HMAC-SHA-256 and SHA-256 of many short messages, in JavaScript (@noble/hashes, audited, already a dependency of
 * the tab's sealing).
 *
 * Why not crypto.subtle: a batch keys two values a row (10,000 per 5,000-row batch), and in workerd each
 * crypto.subtle.sign costs a promise, a copy in and out and a hop to native code — ≈ 3.5 µs a value, more than
 * the hash itself. The keyed state (the key's inner and outer pads already absorbed) is made once and copied into
 * one reused instance per message (`_cloneInto`, noble's way of re-using a keyed HMAC), and the message is encoded
 * into one reused buffer: ≈ 2.5 µs a 64-character value in Node, against ≈ 8 µs for `hmac(sha256, key, msg)`
 * allocating everything each time. keyedHash.test.ts and hmacSha256.test.ts hold it to node:crypto.
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

/** SHA-256 of the UTF-8 of `text`, lowercase hex: the same as node:crypto's, without a call into native code. */
export function createSha256Hex(): (text: string) => string {
  const encode = utf8Scratch();
  const digest = new Uint8Array(32);
  return (text) => {
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

/** An HMAC-SHA-256 under `key` (any length; longer than a block it is hashed first, as RFC 2104 says). */
export function createHmacSha256(key: Uint8Array): HmacSha256 {
  const keyed = hmac.create(sha256, key);
  const encode = utf8Scratch();
  const digest = new Uint8Array(32);
  let scratch: _HMAC<ReturnType<typeof sha256.create>> | undefined;
  return {
    hex(text) {
      scratch = keyed._cloneInto(scratch);
      scratch.update(encode(text));
      scratch.digestInto(digest);
      return bytesToHex(digest);
    },
  };
}
