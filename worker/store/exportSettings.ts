import { ExportSettings } from '../../shared/schema/crmExport.ts';
import { parseStoredJson } from './storedJson.ts';

export type StoredExportSettings = { settings: ExportSettings; version: number; updatedAt: string; updatedBy: string };

type Row = { settings: string; version: number; updated_at: string; updated_by: string };

/** A connection's export settings (null: never saved). The push engine reads them here too. */
export async function readExportSettings(db: D1Database, workspaceId: string, connectionId: string): Promise<StoredExportSettings | null> {
  const row = await db
    .prepare('SELECT settings, version, updated_at, updated_by FROM export_settings WHERE workspace_id = ? AND connection_id = ?')
    .bind(workspaceId, connectionId)
    .first<Row>();
  if (!row) return null;
  return {
    settings: parseStoredJson(ExportSettings, row.settings, `export_settings of connection ${connectionId}`),
    version: row.version,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/**
 * The statement that saves settings as version `baseVersion + 1`, only while the stored version is still
 * `baseVersion` (0: none saved yet). It changes no row when someone saved in between: the caller reads `changes`
 * and answers a conflict, and the history entry batched with it is then rolled back with it (see the route).
 */
export function saveExportSettingsStatement(
  db: D1Database,
  workspaceId: string,
  connectionId: string,
  settings: ExportSettings,
  baseVersion: number,
  by: string,
  at: string,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO export_settings (workspace_id, connection_id, version, settings, updated_at, updated_by)
       SELECT ?1, ?2, ?3 + 1, ?4, ?5, ?6
       WHERE ?3 = COALESCE((SELECT version FROM export_settings WHERE workspace_id = ?1 AND connection_id = ?2), 0)
       ON CONFLICT (workspace_id, connection_id) DO UPDATE SET
         version = excluded.version, settings = excluded.settings, updated_at = excluded.updated_at, updated_by = excluded.updated_by
       WHERE export_settings.version = ?3`,
    )
    .bind(workspaceId, connectionId, baseVersion, JSON.stringify(settings), at, by);
}

/**
 * Platform fields held sensitive (sealed and hashed) by at least one audience of the workspace: their values leave
 * for the CRM only when an admin allowed it.
 */
export async function sensitiveFieldKeys(db: D1Database, workspaceId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT j.value AS field FROM audiences a, json_each(COALESCE(a.sensitive_fields, '[]')) j
       WHERE a.workspace_id = ? ORDER BY j.value`,
    )
    .bind(workspaceId)
    .all<{ field: string }>();
  return results.map((r) => r.field);
}
