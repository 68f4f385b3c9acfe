import { allOpened, SealedValueError } from '../../shared/privacy/openSealedValues.ts';
import { readAesKey } from './aesGcm.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Server envelopes (nonce(12) ‖ ciphertext ‖ tag) → their plaintext bytes, in order. */
export type BatchOpener = (envelopes: readonly Uint8Array[]) => Promise<Uint8Array[]>;

/**
 * The inverse of createBatchSealer for many envelopes at once (an export page): crypto.subtle decryptions started
 * together and awaited once, for the same reason the sealer does it (node:crypto one value at a time costs
 * several times more per value in workerd). Gives bytes, not text: a packed envelope naming several fields holds
 * their values length-prefixed (packedColumns.ts envelopeValues). Throws SealedValueError (naming which envelope)
 * when one was not sealed under this key or was altered.
 */
export async function createBatchOpener(base64Key: string | undefined): Promise<BatchOpener> {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(readAesKey(base64Key)), 'AES-GCM', false, ['decrypt']);
  return async (envelopes) => {
    const pending = envelopes.map(async (envelope, index) => {
      if (envelope.length < IV_BYTES + TAG_BYTES) throw new SealedValueError(index, 'too short');
      // WebCrypto takes only ArrayBuffer-backed views.
      const bytes = envelope.buffer instanceof ArrayBuffer ? (envelope as Uint8Array<ArrayBuffer>) : new Uint8Array(envelope);
      try {
        return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) }, key, bytes.subarray(IV_BYTES)));
      } catch {
        throw new SealedValueError(index, 'altered, or sealed under another key');
      }
    });
    return allOpened(pending);
  };
}
