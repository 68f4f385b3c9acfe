import type { BatchKey } from '../../shared/privacy/batchKey.ts';
import { openBatchKey, openSealedValues, SealedValueError } from '../../shared/privacy/openSealedValues.ts';
import { createBatchOpener, type BatchOpener } from '../crypto/batchOpener.ts';
import { sealedBatchKeys } from '../store/sealedBatchKeys.ts';
import { workspacePrivateKeys } from './workspaceKey.ts';

/**
 * members.sealed holds two forms side by side: base64(iv ‖ ct ‖ tag) under ENCRYPTION_KEY (sealed by the Worker),
 * and, from privacy-mode batches, `pk1.<batch key id>.<base64url(iv ‖ ct ‖ tag)>` under that batch's key (sealed in
 * the tab). The server form never starts with "pk1." (base64 has no dot), so the prefix tells them apart. The batch
 * key's row says the batch's cipher (AES-256-GCM or ChaCha20-Poly1305): the envelope has the same shape in both.
 */
const PRIVATE_PREFIX = 'pk1.';

export const privateSealedValue = (batchKeyId: string, envelope: string): string => `${PRIVATE_PREFIX}${batchKeyId}.${envelope}`;

function parsePrivate(stored: string): { batchKeyId: string; envelope: string } | null {
  if (!stored.startsWith(PRIVATE_PREFIX)) return null;
  const dot = stored.indexOf('.', PRIVATE_PREFIX.length);
  if (dot < 0) return { batchKeyId: '', envelope: '' };
  return { batchKeyId: stored.slice(PRIVATE_PREFIX.length, dot), envelope: stored.slice(dot + 1) };
}

/** A SealedValueError of a sub-list, renumbered to the caller's list. */
function renumbered(indexes: readonly number[]): (e: unknown) => never {
  return (e) => {
    if (e instanceof SealedValueError) throw new SealedValueError(indexes[e.index] ?? e.index, e.reason);
    throw e;
  };
}

/**
 * Opens sealed members values of both forms for one workspace, many at once (an export page, a push batch). The
 * workspace's private keys are read and opened once per opener, each batch key derived once (ECDH + HKDF) and kept
 * for the opener's life: make one per request. Throws SealedValueError naming the first value (by its index in the
 * list) that does not open: altered, or its batch key unknown.
 */
export async function sealedOpenerFor(db: D1Database, encryptionKey: string | undefined, workspaceId: string): Promise<BatchOpener> {
  const openServer = await createBatchOpener(encryptionKey);
  let privateKeys: Promise<Map<string, CryptoKey>> | null = null;
  const batchKeys = new Map<string, Promise<BatchKey | null>>();

  async function loadBatchKeys(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((id) => !batchKeys.has(id));
    if (missing.length === 0) return;
    const rows = sealedBatchKeys(db, workspaceId, missing);
    for (const id of missing) {
      batchKeys.set(
        id,
        rows.then(async (found) => {
          const row = found.get(id);
          if (!row) return null;
          privateKeys ??= workspacePrivateKeys(db, encryptionKey, workspaceId);
          const privateKey = (await privateKeys).get(row.keyId);
          // A key that does not derive (checked on ingest, so only a row altered since) opens nothing.
          return privateKey ? openBatchKey(privateKey, row.keyId, row.ephemeralKey, row.cipher).catch(() => null) : null;
        }),
      );
    }
  }

  return async (sealed) => {
    const out: string[] = new Array(sealed.length);
    const serverIndexes: number[] = [];
    const byBatch = new Map<string, { indexes: number[]; envelopes: string[] }>();
    sealed.forEach((stored, i) => {
      const parsed = parsePrivate(stored);
      if (!parsed) {
        serverIndexes.push(i);
        return;
      }
      let group = byBatch.get(parsed.batchKeyId);
      if (!group) byBatch.set(parsed.batchKeyId, (group = { indexes: [], envelopes: [] }));
      group.indexes.push(i);
      group.envelopes.push(parsed.envelope);
    });
    await loadBatchKeys([...byBatch.keys()]);
    const server = serverIndexes.length
      ? openServer(serverIndexes.map((i) => sealed[i] as string)).then((values) => values.forEach((v, n) => (out[serverIndexes[n] as number] = v)), renumbered(serverIndexes))
      : Promise.resolve();
    const groups = [...byBatch].map(async ([id, group]) => {
      const key = await batchKeys.get(id);
      if (!key) throw new SealedValueError(group.indexes[0] ?? 0, 'its batch key is unknown');
      const values = await openSealedValues(key, group.envelopes).catch(renumbered(group.indexes));
      values.forEach((v, n) => (out[group.indexes[n] as number] = v));
    });
    await Promise.all([server, ...groups]);
    return out;
  };
}
