import { LEGACY_SEALING_CIPHER, SealingCipher } from '../../shared/schema/privacy.ts';

/** A privacy-mode batch's ephemeral key and cell cipher, as members.sealed's 'pk1.<id>.…' values name it (migrations 0130, 0200). */
export type SealedBatchKey = { keyId: string; ephemeralKey: string; cipher: SealingCipher };

/** Written in the batch's own transaction: exactly once with the members whose values it opens. */
export function insertSealedBatchKeyStatement(
  db: D1Database,
  workspaceId: string,
  /** `cipher` as the batch header named it; absent there means AES-256-GCM. */
  row: { id: string; keyId: string; ephemeralKey: string; cipher: SealingCipher | undefined; importId: string; seq: number; now: string },
): D1PreparedStatement {
  return db
    .prepare('INSERT INTO sealed_batch_keys (workspace_id, id, key_id, ephemeral_key, cipher, import_id, seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .bind(workspaceId, row.id, row.keyId, row.ephemeralKey, row.cipher ?? LEGACY_SEALING_CIPHER, row.importId, row.seq, row.now);
}

export async function sealedBatchKeys(db: D1Database, workspaceId: string, ids: readonly string[]): Promise<Map<string, SealedBatchKey>> {
  if (ids.length === 0) return new Map();
  const { results } = await db
    .prepare(
      `SELECT k.id, k.key_id, k.ephemeral_key, k.cipher FROM json_each(?2) AS j CROSS JOIN sealed_batch_keys AS k
       WHERE k.workspace_id = ?1 AND k.id = j.value`,
    )
    .bind(workspaceId, JSON.stringify(ids))
    .all<{ id: string; key_id: string; ephemeral_key: string; cipher: string }>();
  const found = new Map<string, SealedBatchKey>();
  for (const r of results) {
    // A cipher this code does not know (a row altered, or written by newer code) opens nothing: left out, its values
    // are then "batch key unknown" rather than tried under a guess.
    const cipher = SealingCipher.safeParse(r.cipher);
    if (cipher.success) found.set(r.id, { keyId: r.key_id, ephemeralKey: r.ephemeral_key, cipher: cipher.data });
  }
  return found;
}
