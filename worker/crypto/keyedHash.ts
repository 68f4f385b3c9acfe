import { readAesKey } from './aesGcm.ts';
import { createHmacSha256 } from './hmacSha256.ts';

/** HMAC-SHA-256 under the HASH_KEY secret: what a database leak alone cannot reverse, unlike a plain SHA-256. */
export interface KeyedHasher {
  /** HMAC-SHA-256(key, UTF-8 of text), lowercase hex. */
  hex(text: string): string;
  /** The same for many values. */
  hexAll(texts: readonly string[]): Promise<string[]>;
}

/**
 * In JavaScript with the key's pads compressed once (hmacSha256.ts): in workerd a crypto.subtle.sign per value
 * (a promise, copies, a native call) cost ≈ 3.5 µs in the batch path's profile, node:crypto's createHmac more; with
 * three SHA-256 compressions in JavaScript instead, the ingest bench's server CPU fell 6-7 µs a row (two keyed
 * values a row).
 */
export async function createKeyedHasher(key: Uint8Array): Promise<KeyedHasher> {
  const hmac = createHmacSha256(key);
  return {
    hex: (text) => hmac.hex(text),
    hexAll: async (texts) => texts.map((text) => hmac.hex(text)),
  };
}

const hashers = new Map<string, Promise<KeyedHasher>>();

/** One hasher per key per isolate; a missing or malformed HASH_KEY throws (nothing is hashed without the secret). */
export function keyedHasherFor(base64Key: string | undefined): Promise<KeyedHasher> {
  const id = base64Key ?? '';
  let hasher = hashers.get(id);
  if (!hasher) {
    hasher = createKeyedHasher(readAesKey(base64Key, 'HASH_KEY'));
    hasher.catch(() => hashers.delete(id));
    if (hashers.size >= 4) hashers.clear();
    hashers.set(id, hasher);
  }
  return hasher;
}
