import { createHash } from 'node:crypto';
import { createSha256Hex } from './hmacSha256.ts';

/** SHA-256 of the UTF-8 bytes of `text`, lowercase hex (the form ad platforms match on). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * sha256Hex for many values, in JavaScript (hmacSha256.ts): a short value is one SHA-256 compression, cheaper than
 * a crypto.subtle digest per value (a promise, copies, a native call: ≈ 2 µs in workerd) or createHash (≈ 4 µs).
 */
export async function sha256HexAll(texts: readonly string[]): Promise<string[]> {
  const hex = createSha256Hex();
  return texts.map((text) => hex(text));
}
