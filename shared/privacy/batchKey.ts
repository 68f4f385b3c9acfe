import type { WorkspaceSealingKey } from '../schema/privacy.ts';

/**
 * How a privacy-mode batch key is derived, on both sides (sealBatchCells in the tab, openBatchKey in the Worker):
 *
 *   shared = ECDH-P-256(ephemeral private, workspace public)    — or (workspace private, ephemeral public)
 *   key    = HKDF-SHA-256(ikm = shared, salt = HKDF_SALT, info = hkdfInfo(keyId, ephemeralKey)) → AES-256-GCM
 *
 * The salt is fixed (the scheme's name): ECDH's output is already uniformly keyed per batch, the salt only
 * separates this use from any other. The info binds the key to the workspace key pair (keyId) and to the batch's
 * ephemeral public key, so a header with another keyId or another ephemeral key derives another key and nothing
 * opens (the ECIES practice of putting the ephemeral key in the KDF input).
 */
export const SEALING_SCHEME = 'pk1';
const encoder = new TextEncoder();
// Copied into a fresh Uint8Array: WebCrypto takes ArrayBuffer-backed views, which the runtimes' typings ask for.
export const HKDF_SALT = new Uint8Array(encoder.encode('audience-import privacy mode pk1'));
export const hkdfInfo = (keyId: string, ephemeralKey: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(encoder.encode(`pk1 AES-256-GCM batch key\u0000${keyId}\u0000${ephemeralKey}`));

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

/** The batch's AES-256-GCM key from one side's private key and the other side's public key (see above). */
export async function deriveBatchKey(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  keyId: string,
  ephemeralKey: string,
  usage: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  // workerd's typings spell the ECDH parameter `$public`; every runtime reads `public` (the Web Crypto spec's name).
  const ecdh = { name: 'ECDH', public: publicKey } as unknown as Parameters<SubtleCrypto['deriveBits']>[0];
  const shared = await crypto.subtle.deriveBits(ecdh, privateKey, 256);
  const ikm = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: hkdfInfo(keyId, ephemeralKey) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}
