import type { SealingCipher, WorkspaceSealingKey } from '../schema/privacy.ts';

/**
 * How a privacy-mode batch key is derived, on both sides (sealBatchCells in the tab, openBatchKey in the Worker):
 *
 *   shared = ECDH-P-256(ephemeral private, workspace public)    — or (workspace private, ephemeral public)
 *   key    = HKDF-SHA-256(ikm = shared, salt = HKDF_SALT, info = hkdfInfo(keyId, ephemeralKey, cipher)) → 32 bytes
 *
 * The salt is fixed (the scheme's name): ECDH's output is already uniformly keyed per batch, the salt only
 * separates this use from any other. The info binds the key to the workspace key pair (keyId), to the batch's
 * ephemeral public key and to the cipher, so a header with another keyId, another ephemeral key or another cipher
 * derives another key and nothing opens (the ECIES practice of putting the ephemeral key in the KDF input; the
 * cipher, so one derived key is never used with two ciphers).
 */
export const SEALING_SCHEME = 'pk1';
const encoder = new TextEncoder();
// Copied into a fresh Uint8Array: WebCrypto takes ArrayBuffer-backed views, which the runtimes' typings ask for.
export const HKDF_SALT = new Uint8Array(encoder.encode('audience-import privacy mode pk1'));
// The AES-256-GCM label is the one batches were sealed with before there was a choice: it must stay as it is.
const CIPHER_LABEL: Record<SealingCipher, string> = { 'aes-256-gcm': 'AES-256-GCM', 'chacha20-poly1305': 'ChaCha20-Poly1305' };
export const hkdfInfo = (keyId: string, ephemeralKey: string, cipher: SealingCipher): Uint8Array<ArrayBuffer> =>
  new Uint8Array(encoder.encode(`pk1 ${CIPHER_LABEL[cipher]} batch key\u0000${keyId}\u0000${ephemeralKey}`));

export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** The workspace's public key (a JWK as GET /api/privacy/key answers it) as a WebCrypto ECDH key. */
export function importWorkspacePublicKey(key: WorkspaceSealingKey): Promise<CryptoKey> {
  const { kty, crv, x, y } = key.publicKey;
  return crypto.subtle.importKey('jwk', { kty, crv, x, y, ext: true }, ECDH_P256, true, []);
}

/** A raw uncompressed P-256 point (an ephemeral key as a header carries it) as a WebCrypto ECDH key. */
export function importRawPublicKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, ECDH_P256, true, []);
}

export function generateEphemeralKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ECDH_P256, true, ['deriveBits']) as Promise<CryptoKeyPair>;
}

/**
 * A batch key with its cipher: AES-256-GCM stays a non-extractable WebCrypto key; ChaCha20-Poly1305 runs in
 * JavaScript (@noble/ciphers), so its key is 32 raw bytes, held only by the sealing (or opening) code's closure.
 */
export type BatchKey = { cipher: 'aes-256-gcm'; key: CryptoKey } | { cipher: 'chacha20-poly1305'; key: Uint8Array };

/** The batch key from one side's private key and the other side's public key (see above). */
export async function deriveBatchKey(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  keyId: string,
  ephemeralKey: string,
  cipher: SealingCipher,
  usage: 'encrypt' | 'decrypt',
): Promise<BatchKey> {
  // workerd's typings spell the ECDH parameter `$public`; every runtime reads `public` (the Web Crypto spec's name).
  const ecdh = { name: 'ECDH', public: publicKey } as unknown as Parameters<SubtleCrypto['deriveBits']>[0];
  const shared = await crypto.subtle.deriveBits(ecdh, privateKey, 256);
  const ikm = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey', 'deriveBits']);
  const hkdf = { name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: hkdfInfo(keyId, ephemeralKey, cipher) };
  if (cipher === 'chacha20-poly1305') return { cipher, key: new Uint8Array(await crypto.subtle.deriveBits(hkdf, ikm, 256)) };
  return { cipher, key: await crypto.subtle.deriveKey(hkdf, ikm, { name: 'AES-GCM', length: 256 }, false, [usage]) };
}
