/** A privacy-mode batch's ephemeral key, as members.sealed's 'pk1.<id>.…' values name it (migration 0130). */
export type SealedBatchKey = { keyId: string; ephemeralKey: string };

/** Written in the batch's own transaction: exactly once with the members whose values it opens. */
export function insertSealedBatchKeyStatement(
  db: D1Database,
  workspaceId: string,
  row: { id: string; keyId: string; ephemeralKey: string; importId: string; seq: number; now: string },
): D1PreparedStatement {
  return db
    .prepare('INSERT INTO sealed_batch_keys (workspace_id, id, key_id, ephemeral_key, import_id, seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .bind(workspaceId, row.id, row.keyId, row.ephemeralKey, row.importId, row.seq, row.now);
}

export async function sealedBatchKeys(db: D1Database, workspaceId: string, ids: readonly string[]): Promise<Map<string, SealedBatchKey>> {
  if (ids.length === 0) return new Map();
  const { results } = await db
    .prepare(
      `SELECT k.id, k.key_id, k.ephemeral_key FROM json_each(?2) AS j CROSS JOIN sealed_batch_keys AS k
       WHERE k.workspace_id = ?1 AND k.id = j.value`,
    )
    .bind(workspaceId, JSON.stringify(ids))
    .all<{ id: string; key_id: string; ephemeral_key: string }>();
  return new Map(results.map((r) => [r.id, { keyId: r.key_id, ephemeralKey: r.ephemeral_key }]));
}
