import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { readAesKey } from './aesGcm.ts';

const DIGEST_BYTES = 32;
// Signatures started together and awaited once, in slices: a batch's worth of pending promises and buffers at a time.
const SLICE = 4_096;

/** HMAC-SHA-256 under the HASH_KEY secret: what a database leak alone cannot reverse, unlike a plain SHA-256. */
export interface KeyedHasher {
  /** HMAC-SHA-256(key, UTF-8 of text), lowercase hex. Synchronous (node:crypto), for one value at a time. */
  hex(text: string): string;
  /** The same for many values (crypto.subtle, see sha256HexAll for why batched). */
  hexAll(texts: readonly string[]): Promise<string[]>;
}

export async function createKeyedHasher(key: Uint8Array): Promise<KeyedHasher> {
  const keyBytes = new Uint8Array(key);
  const cryptoKey = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const encoder = new TextEncoder();
  return {
    hex: (text) => createHmac('sha256', keyBytes).update(text, 'utf8').digest('hex'),
    async hexAll(texts) {
      const out: string[] = new Array(texts.length);
      for (let from = 0; from < texts.length; from += SLICE) {
        const to = Math.min(from + SLICE, texts.length);
        const pending: Promise<ArrayBuffer>[] = [];
        for (let i = from; i < to; i++) pending.push(crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(texts[i])));
        const digests = await Promise.all(pending);
        const all = new Uint8Array(DIGEST_BYTES * digests.length);
        digests.forEach((d, i) => all.set(new Uint8Array(d), i * DIGEST_BYTES));
        const hex = Buffer.from(all.buffer).toString('hex');
        for (let i = from; i < to; i++) out[i] = hex.slice((i - from) * 2 * DIGEST_BYTES, (i - from + 1) * 2 * DIGEST_BYTES);
      }
      return out;
    },
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
