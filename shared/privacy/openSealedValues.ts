import { fromBase64url } from './base64url.ts';
import { deriveBatchKey, importRawPublicKey, IV_BYTES, TAG_BYTES } from './batchKey.ts';

/** A sealed value that does not open: altered, cut, or sealed under another key. `index` says which of the list. */
export class SealedValueError extends Error {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(`sealed value ${index} does not open: ${reason}`);
    this.name = 'SealedValueError';
  }
}

/**
 * The batch key of a privacy-mode batch, from the workspace's private ECDH key and the batch's header. A wrong
 * private key, keyId or ephemeral key derives another key (no error here): the values then fail to open.
 */
export async function openBatchKey(privateKey: CryptoKey, keyId: string, ephemeralKey: string): Promise<CryptoKey> {
  const ephemeral = await importRawPublicKey(fromBase64url(ephemeralKey));
  return deriveBatchKey(privateKey, ephemeral, keyId, ephemeralKey, 'decrypt');
}

/**
 * The normalized values of sealed cells' `c` (base64url(iv ‖ ciphertext ‖ tag)) under one batch key, all
 * decryptions started together and awaited once. Throws SealedValueError for the first value that does not open
 * (GCM's tag refuses any altered bit).
 */
export async function openSealedValues(batchKey: CryptoKey, sealed: readonly string[]): Promise<string[]> {
  const decoder = new TextDecoder();
  const pending = sealed.map((text, index) => {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = fromBase64url(text);
    } catch (e) {
      return Promise.reject(new SealedValueError(index, (e as Error).message));
    }
    if (bytes.length < IV_BYTES + TAG_BYTES) return Promise.reject(new SealedValueError(index, 'too short'));
    return crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) }, batchKey, bytes.subarray(IV_BYTES)).then(
      (plain) => decoder.decode(plain),
      () => {
        throw new SealedValueError(index, 'altered, or sealed under another key');
      },
    );
  });
  return Promise.all(pending);
}
