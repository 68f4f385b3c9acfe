import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { SealingCipher } from '../schema/privacy.ts';
import { fromBase64url } from './base64url.ts';
import { type BatchKey, deriveBatchKey, importRawPublicKey, IV_BYTES, TAG_BYTES } from './batchKey.ts';

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
 * The batch key of a privacy-mode batch, from the workspace's private ECDH key and the batch's header (its cipher as
 * the batch named it). A wrong private key, keyId, ephemeral key or cipher derives another key (no error here): the
 * values then fail to open.
 */
export async function openBatchKey(privateKey: CryptoKey, keyId: string, ephemeralKey: string, cipher: SealingCipher): Promise<BatchKey> {
  const ephemeral = await importRawPublicKey(fromBase64url(ephemeralKey));
  return deriveBatchKey(privateKey, ephemeral, keyId, ephemeralKey, cipher, 'decrypt');
}

/**
 * The plaintexts of sealed cells' `c` (base64url(nonce ‖ ciphertext ‖ tag)) under one batch key, as text: for
 * envelopes naming one value each (a row's envelope naming several: openSealedPlaintexts, then envelopeValues).
 * Throws SealedValueError for the first value that does not open (either cipher's tag refuses any altered bit, and a
 * key derived for the other cipher).
 */
export async function openSealedValues(batchKey: BatchKey, sealed: readonly string[]): Promise<string[]> {
  return texts(await openEnvelopes(batchKey, sealed.length, (index) => envelopeBytes(sealed[index] as string, index)));
}

/**
 * The same for envelopes already as bytes (nonce ‖ ciphertext ‖ tag: a `c` base64url-decoded), as the packed member
 * form stores them (worker/store/packedColumns.ts): the Worker opens them without a round trip through text.
 */
export async function openSealedBytes(batchKey: BatchKey, sealed: readonly Uint8Array[]): Promise<string[]> {
  return texts(await openSealedPlaintexts(batchKey, sealed));
}

/**
 * The plaintext bytes of envelopes as bytes: what an envelope naming several fields holds (envelopePlaintext), to be
 * split with envelopeValues. Same errors as openSealedValues (the lowest failing index).
 */
export async function openSealedPlaintexts(batchKey: BatchKey, sealed: readonly Uint8Array[]): Promise<Uint8Array[]> {
  return openEnvelopes(batchKey, sealed.length, (index) => {
    const bytes = sealed[index] as Uint8Array;
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealedValueError(index, 'too short');
    // WebCrypto takes only ArrayBuffer-backed views.
    return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  });
}

type EnvelopeAt = (index: number) => Uint8Array<ArrayBuffer>;

function texts(plaintexts: readonly Uint8Array[]): string[] {
  const decoder = new TextDecoder();
  return plaintexts.map((p) => decoder.decode(p));
}

function openEnvelopes(batchKey: BatchKey, count: number, bytesAt: EnvelopeAt): Promise<Uint8Array[]> {
  return batchKey.cipher === 'chacha20-poly1305' ? Promise.resolve(openChaCha(batchKey.key, count, bytesAt)) : openAesGcm(batchKey.key, count, bytesAt);
}

function envelopeBytes(text: string, index: number): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64url(text);
  } catch (e) {
    throw new SealedValueError(index, (e as Error).message);
  }
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealedValueError(index, 'too short');
  return bytes;
}

function openChaCha(key: Uint8Array, count: number, bytesAt: EnvelopeAt): Uint8Array[] {
  const out: Uint8Array[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const bytes = bytesAt(index);
    try {
      out[index] = chacha20poly1305(key, bytes.subarray(0, IV_BYTES)).decrypt(bytes.subarray(IV_BYTES));
    } catch {
      throw new SealedValueError(index, 'altered, or sealed under another key');
    }
  }
  return out;
}

/** AES-256-GCM through WebCrypto: all decryptions started together and awaited once. */
async function openAesGcm(batchKey: CryptoKey, count: number, bytesAt: EnvelopeAt): Promise<Uint8Array[]> {
  const pending: Promise<Uint8Array>[] = new Array(count);
  for (let index = 0; index < count; index++) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = bytesAt(index);
    } catch (e) {
      pending[index] = Promise.reject(e);
      continue;
    }
    pending[index] = crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) }, batchKey, bytes.subarray(IV_BYTES)).then(
      (plain) => new Uint8Array(plain),
      () => {
        throw new SealedValueError(index, 'altered, or sealed under another key');
      },
    );
  }
  return allOpened(pending);
}

/**
 * Promise.all for openings that reject with SealedValueError: on failure, the error naming the lowest index. Promise.all
 * alone rejects with whichever decryption failed first in time, which varies with load; the same bad batch must get
 * the same answer (and a report names its first bad value).
 */
export async function allOpened<T>(pending: readonly Promise<T>[]): Promise<T[]> {
  try {
    return await Promise.all(pending);
  } catch (first) {
    let lowest: unknown = first;
    for (const settled of await Promise.allSettled(pending)) {
      if (settled.status !== 'rejected') continue;
      const reason: unknown = settled.reason;
      if (reason instanceof SealedValueError && (!(lowest instanceof SealedValueError) || reason.index < lowest.index)) lowest = reason;
    }
    throw lowest;
  }
}
