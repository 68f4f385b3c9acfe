import { jsonChunks } from './jsonChunks.ts';
import { audienceRef, importIdOf, importRef, isoOf, keyValuesWrittenOut } from './members.ts';

/**
 * Keeps, inside the batch transaction and before the merge, how each existing member looked before this import
 * first touched it: undo restores exactly that. Members this import wrote already (it created them, or an earlier
 * batch of it snapshotted them) are left out, so the snapshot is always the state before the import. Sensitive
 * fields are copied as stored (hashes and sealed ciphertext): nothing is decrypted or kept in plain text. Values
 * stored once as the member's key are written out (members.ts namedJson): the key may change before an undo.
 */
export function snapshotMembersStatements(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  importId: string,
  keys: readonly string[],
): D1PreparedStatement[] {
  return jsonChunks(keys).map((json) =>
    db
      .prepare(
        `INSERT INTO member_snapshots (workspace_id, import_id, member_id, attributes, hashes, sealed, updated_import_id, updated_at)
         SELECT ?1, ?3, m.id, ${keyValuesWrittenOut('attributes')}, ${keyValuesWrittenOut('hashes')}, m.sealed, ${importIdOf('m.updated_import')},
           ${isoOf('m.updated_at')}
         FROM json_each(?4) AS j CROSS JOIN member_records AS m
         WHERE m.audience_ref = ${audienceRef('?1', '?2')} AND m.identifier_key = j.value AND m.updated_import IS NOT ${importRef('?1', '?3')}
         ON CONFLICT DO NOTHING`,
      )
      .bind(workspaceId, audienceId, importId, json),
  );
}
