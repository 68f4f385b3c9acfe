import { Buffer } from 'node:buffer';
import { SealedValueError } from '../../shared/privacy/openSealedValues.ts';
import { readAesKey } from './aesGcm.ts';

const IV_BYTES = 12;

export type BatchOpener = (sealed: readonly string[]) => Promise<string[]>;

/**
 * The inverse of createBatchSealer for many values at once (an export page): crypto.subtle decryptions started
 * together and awaited once, for the same reason the sealer does it (node:crypto one value at a time costs
 * several times more per value in workerd). Throws SealedValueError (naming which value) when a value was not
 * sealed under this key or was altered.
 */
export async function createBatchOpener(base64Key: string | undefined): Promise<BatchOpener> {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(readAesKey(base64Key)), 'AES-GCM', false, ['decrypt']);
  const decoder = new TextDecoder();
  return async (sealed) => {
    const pending = sealed.map((s, index) => {
      const body = Buffer.from(s, 'base64');
      const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      return crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) }, key, bytes.subarray(IV_BYTES)).catch(() => {
        throw new SealedValueError(index, 'altered, or sealed under another key');
      });
    });
    return (await Promise.all(pending)).map((plain) => decoder.decode(plain));
  };
}
