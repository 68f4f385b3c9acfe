import { readAesKey } from './aesGcm.ts';

const IV_BYTES = 12;

/**
 * Plaintexts → server envelopes' bytes (packedColumns.ts, kind 1): nonce(12) ‖ ciphertext ‖ tag(16) each, in order.
 * One plaintext per member and write (envelopePlaintext of its sensitive values), so a member costs one encryption,
 * one nonce and one tag however many sensitive fields it has. A one-value plaintext is the UTF-8 of the value: its
 * envelope is byte for byte what AesGcm.seal stored per value before (base64-decoded).
 */
export type BatchSealer = (plaintexts: readonly Uint8Array[]) => Promise<Uint8Array[]>;

/**
 * AES-256-GCM for many envelopes at once. Measured in workerd, 4,000 values: crypto.subtle started together and
 * awaited once ≈ 13 ms; node:crypto createCipheriv one by one ≈ 65 ms (its per-call cost dominates short values);
 * crypto.subtle awaited one value at a time is slower than both. All nonces come from one getRandomValues.
 */
export async function createBatchSealer(key: Uint8Array): Promise<BatchSealer> {
  // A copy: WebCrypto takes only ArrayBuffer-backed views, and a Buffer may sit on a shared pool.
  const cryptoKey = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['encrypt']);
  return async (plaintexts) => {
    const n = plaintexts.length;
    const ivs = new Uint8Array(IV_BYTES * n);
    // getRandomValues fills at most 65,536 bytes a call.
    for (let at = 0; at < ivs.length; at += 65_536) crypto.getRandomValues(ivs.subarray(at, Math.min(at + 65_536, ivs.length)));
    const pending: Promise<ArrayBuffer>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const iv = ivs.subarray(i * IV_BYTES, (i + 1) * IV_BYTES);
      const plain = plaintexts[i] as Uint8Array;
      pending[i] = crypto.subtle.encrypt({ name: 'AES-GCM', iv }, cryptoKey, plain.buffer instanceof ArrayBuffer ? (plain as Uint8Array<ArrayBuffer>) : new Uint8Array(plain));
    }
    const bodies = await Promise.all(pending);
    const sealed: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const body = bodies[i] as ArrayBuffer;
      const out = new Uint8Array(IV_BYTES + body.byteLength);
      out.set(ivs.subarray(i * IV_BYTES, (i + 1) * IV_BYTES));
      out.set(new Uint8Array(body), IV_BYTES);
      sealed[i] = out;
    }
    return sealed;
  };
}

const sealers = new Map<string, Promise<BatchSealer>>();

/**
 * One sealer per key per isolate: the key is imported once, not on every batch. The secret is checked (readAesKey
 * throws for a bad one) only when it is new, and nothing is kept for a bad one.
 */
export function batchSealerFor(base64Key: string | undefined): Promise<BatchSealer> {
  const id = base64Key ?? '';
  let sealer = sealers.get(id);
  if (!sealer) {
    sealer = createBatchSealer(readAesKey(base64Key));
    sealer.catch(() => sealers.delete(id));
    // A rotated key replaces the old one; a handful is already more than one isolate ever sees.
    if (sealers.size >= 4) sealers.clear();
    sealers.set(id, sealer);
  }
  return sealer;
}
