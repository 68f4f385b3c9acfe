import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';

const IV_BYTES = 12;

export type BatchSealer = (plaintexts: readonly string[]) => Promise<string[]>;

/**
 * AES-256-GCM for many values at once, in the format of AesGcm.seal (base64(iv ‖ ciphertext ‖ tag), a fresh
 * random IV each), so AesGcm.open reads it. Measured in workerd, 4,000 values: crypto.subtle started together
 * and awaited once ≈ 13 ms; node:crypto createCipheriv one by one ≈ 65 ms (its per-call cost dominates short
 * values); crypto.subtle awaited one value at a time is slower than both.
 */
export async function createBatchSealer(key: Uint8Array): Promise<BatchSealer> {
  // A copy: WebCrypto takes only ArrayBuffer-backed views, and a Buffer may sit on a shared pool.
  const cryptoKey = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['encrypt']);
  const encoder = new TextEncoder();
  return async (plaintexts) => {
    const ivs = new Uint8Array(randomBytes(IV_BYTES * plaintexts.length));
    const sealed = await Promise.all(
      plaintexts.map((text, i) =>
        crypto.subtle.encrypt({ name: 'AES-GCM', iv: ivs.subarray(i * IV_BYTES, (i + 1) * IV_BYTES) }, cryptoKey, encoder.encode(text)),
      ),
    );
    return sealed.map((body, i) => Buffer.concat([ivs.subarray(i * IV_BYTES, (i + 1) * IV_BYTES), new Uint8Array(body)]).toString('base64'));
  };
}
