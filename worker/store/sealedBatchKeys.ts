import { LEGACY_SEALING_CIPHER, SealingCipher } from '../../shared/schema/privacy.ts';

/** A privacy-mode batch's ephemeral key and cell cipher, as members.sealed's 'pk1.<id>.…' values name it (migrations 0130, 0200). */
export type SealedBatchKey = { keyId: string; ephemeralKey: string; cipher: SealingCipher };

/**
 * The id a batch key row with this ordinal gets: the number in base 36 (migration 0250). Every private envelope of a
 * member names its batch by this id, so its length is paid once a member: 1-4 characters for a workspace's first
 * 1.6M private batches, against the 11 of the random ids rows written before keep (which no ordinal's id can equal
 * before 36^11).
 */
export const batchKeyIdOf = (ordinal: number): string => ordinal.toString(36);

/**
 * The ordinal the workspace's next batch key row takes: one more than the largest taken (rows before migration 0250
 * have none). Read before the batch's transaction, so two batches may take the same one; the unique index then fails
 * the later transaction, which ingest applies again with a fresh read. Taken numbers come back only when an
 * audience's removal deletes the largest with its members, and so every value that named it.
 */
export async function nextBatchKeyOrdinal(db: D1Database, workspaceId: string): Promise<number> {
  const row = await db
    .prepare('SELECT coalesce(max(ordinal), 0) + 1 AS next FROM sealed_batch_keys WHERE workspace_id = ? AND ordinal IS NOT NULL')
    .bind(workspaceId)
    .first<{ next: number }>();
  return row?.next ?? 1;
}

/** Written in the batch's own transaction: exactly once with the members whose values it opens. */
export function insertSealedBatchKeyStatement(
  db: D1Database,
  workspaceId: string,
  /** `cipher` as the batch header named it; absent there means AES-256-GCM. `id` is batchKeyIdOf(ordinal). */
  row: { ordinal: number; keyId: string; ephemeralKey: string; cipher: SealingCipher | undefined; importId: string; seq: number; now: string },
): D1PreparedStatement {
  return db
    .prepare(
      'INSERT INTO sealed_batch_keys (workspace_id, id, ordinal, key_id, ephemeral_key, cipher, import_id, seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .bind(workspaceId, batchKeyIdOf(row.ordinal), row.ordinal, row.keyId, row.ephemeralKey, row.cipher ?? LEGACY_SEALING_CIPHER, row.importId, row.seq, row.now);
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
