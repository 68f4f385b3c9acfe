import { createSha256Hex } from './hmacSha256.ts';

/**
 * SHA-256 of the UTF-8 bytes of `text`, lowercase hex (the form ad platforms match on). In JavaScript
 * (hmacSha256.ts: a short ASCII value is one compression from its char codes): node:crypto's createHash per value
 * cost ≈ 4 µs in workerd, a crypto.subtle digest ≈ 2 µs (a promise, copies, a native call), this ≈ 0.75.
 * Synchronous, so one instance serves every caller.
 */
export const sha256Hex: (text: string) => string = createSha256Hex();

/** sha256Hex for many values. */
export async function sha256HexAll(texts: readonly string[]): Promise<string[]> {
  return texts.map((text) => sha256Hex(text));
}
