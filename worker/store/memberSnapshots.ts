import { jsonChunks } from './jsonChunks.ts';
import { type FieldRefs, packedHex } from './members.ts';
import type { MemberValues, PackedHexOrStored } from './packedColumns.ts';

/**
 * How an existing member looked when a batch read it, before the batch's import first wrote it: its values, or
 * already its columns in the snapshot form (members.ts snapshotPackedHex, from the stored text; null: copied in SQL).
 */
export type MemberSnapshot = { id: number; key: string; updatedImportId: string | null; updatedAt: number } & ({ values: MemberValues } | { packed: PackedHexOrStored });

/**
 * Keeps, inside the batch transaction and before the merge, how each existing member looked before this import
 * first touched it: undo restores exactly that. The caller passes only members this import has not written yet (it
 * created them, or an earlier batch of it snapshotted them, when their last writer is this import), from the very
 * read the merge is guarded by: if a member changed since, the merge's guard aborts the snapshot with it. Sensitive
 * fields are copied as stored (hashes and sealed ciphertext): nothing is decrypted or kept in plain text. Packed
 * with nothing stored as the member's key (markers: false): sealing in place may re-key the member before an undo.
 */
export function snapshotMembersStatements(
  db: D1Database,
  workspaceId: string,
  importId: string,
  snapshots: readonly MemberSnapshot[],
  refs: FieldRefs,
): D1PreparedStatement[] {
  return jsonChunks(
    snapshots.map((s) => [
      s.id,
      ...('packed' in s ? s.packed : packedHex(s.values, refs, s.key, { markers: false })),
      s.updatedImportId,
      new Date(s.updatedAt).toISOString(),
    ]),
  ).map((json) =>
    db
      .prepare(
        // A column sent as null is the member's as stored (snapshotPackedColumnsHex: no marker to write out), copied
        // from it here: the merge after this statement is guarded, so it is still what the batch read. A member not
        // found (or not the workspace's) gives NULL, which NOT NULL refuses. "WHERE true": without it SQLite would
        // read ON CONFLICT as a join constraint of the SELECT.
        `INSERT INTO member_snapshots (workspace_id, import_id, member_id, attributes, hashes, sealed, updated_import_id, updated_at)
         SELECT ?1, ?2, j.value ->> 0, iif(j.value ->> 1 IS NULL, m.attributes, unhex(j.value ->> 1)),
           iif(j.value ->> 2 IS NULL, m.hashes, unhex(j.value ->> 2)), iif(j.value ->> 3 IS NULL, m.sealed, unhex(j.value ->> 3)), j.value ->> 4, j.value ->> 5
         FROM json_each(?3) AS j
           LEFT JOIN member_records AS m ON m.id = j.value ->> 0 AND m.audience_ref IN (SELECT ref FROM audiences WHERE workspace_id = ?1)
         WHERE true
         ON CONFLICT DO NOTHING`,
      )
      .bind(workspaceId, importId, json),
  );
}
