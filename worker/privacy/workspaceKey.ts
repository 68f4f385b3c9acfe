import { toBase64url } from '../../shared/privacy/base64url.ts';
import { WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import { createAesGcm, readAesKey } from '../crypto/aesGcm.ts';

const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;

type KeyRow = { key_id: string; public_jwk: string; private_sealed: string };

async function currentKey(db: D1Database, workspaceId: string): Promise<WorkspaceSealingKey | null> {
  const row = await db
    .prepare('SELECT key_id, public_jwk FROM workspace_sealing_keys WHERE workspace_id = ? AND retired_at IS NULL')
    .bind(workspaceId)
    .first<Pick<KeyRow, 'key_id' | 'public_jwk'>>();
  return row ? WorkspaceSealingKey.parse({ keyId: row.key_id, publicKey: JSON.parse(row.public_jwk) }) : null;
}

/**
 * The workspace's public sealing key, made on first use: an ECDH P-256 pair whose private JWK is kept sealed under
 * ENCRYPTION_KEY (the member data key: whoever may open sealed members may open this). Two first uses at once
 * insert one pair (the unique index of current keys ignores the second) and both answer it.
 */
export async function workspaceSealingKey(db: D1Database, encryptionKey: string | undefined, workspaceId: string, now: string): Promise<WorkspaceSealingKey> {
  const known = await currentKey(db, workspaceId);
  if (known) return known;
  const aes = createAesGcm(readAesKey(encryptionKey));
  const pair = (await crypto.subtle.generateKey(ECDH_P256, true, ['deriveBits'])) as CryptoKeyPair;
  const [publicJwk, privateJwk] = (await Promise.all([crypto.subtle.exportKey('jwk', pair.publicKey), crypto.subtle.exportKey('jwk', pair.privateKey)])) as JsonWebKey[];
  const publicKey = { kty: 'EC', crv: 'P-256', x: publicJwk?.x ?? '', y: publicJwk?.y ?? '' };
  const keyId = `wk_${toBase64url(crypto.getRandomValues(new Uint8Array(9)))}`;
  await db
    .prepare(
      `INSERT OR IGNORE INTO workspace_sealing_keys (workspace_id, key_id, public_jwk, private_sealed, created_at) VALUES (?, ?, ?, ?, ?)`,
    )
    .bind(workspaceId, keyId, JSON.stringify(publicKey), aes.seal(JSON.stringify(privateJwk)), now)
    .run();
  const stored = await currentKey(db, workspaceId);
  if (!stored) throw new Error(`no sealing key for workspace ${workspaceId} after creating one`);
  return stored;
}

/** Every key id the workspace has had (current and retired): what a batch's sealing header may name. */
export async function workspaceKeyIds(db: D1Database, workspaceId: string): Promise<Set<string>> {
  const { results } = await db.prepare('SELECT key_id FROM workspace_sealing_keys WHERE workspace_id = ?').bind(workspaceId).all<{ key_id: string }>();
  return new Set(results.map((r) => r.key_id));
}

/** The workspace's private keys by key id, opened from their sealed JWKs (only where sealed values are opened). */
export async function workspacePrivateKeys(db: D1Database, encryptionKey: string | undefined, workspaceId: string): Promise<Map<string, CryptoKey>> {
  const { results } = await db
    .prepare('SELECT key_id, public_jwk, private_sealed FROM workspace_sealing_keys WHERE workspace_id = ?')
    .bind(workspaceId)
    .all<KeyRow>();
  if (results.length === 0) return new Map();
  const aes = createAesGcm(readAesKey(encryptionKey));
  const keys = await Promise.all(
    results.map(async (r) => {
      const jwk = JSON.parse(aes.open(r.private_sealed)) as JsonWebKey;
      return [r.key_id, await crypto.subtle.importKey('jwk', jwk, ECDH_P256, false, ['deriveBits'])] as const;
    }),
  );
  return new Map(keys);
}
