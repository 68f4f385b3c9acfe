import type { PrivacyDefault, WorkspaceSettings } from '../../shared/schema/workspaceSettings.ts';
import { PrivacyDefault as PrivacyDefaultSchema } from '../../shared/schema/workspaceSettings.ts';

type Row = { privacy_default: string; updated_at: string; updated_by: string };

/** A workspace that never saved its settings has these. */
export const DEFAULT_SETTINGS: WorkspaceSettings = { privacyDefault: 'off', updatedAt: null, updatedBy: null };

export async function readWorkspaceSettings(db: D1Database, workspaceId: string): Promise<WorkspaceSettings> {
  const row = await db
    .prepare('SELECT privacy_default, updated_at, updated_by FROM workspace_settings WHERE workspace_id = ?')
    .bind(workspaceId)
    .first<Row>();
  if (!row) return DEFAULT_SETTINGS;
  // The column's CHECK allows exactly the schema's values; parsing keeps the type honest should they drift.
  return { privacyDefault: PrivacyDefaultSchema.parse(row.privacy_default), updatedAt: row.updated_at, updatedBy: row.updated_by };
}

export async function readPrivacyDefault(db: D1Database, workspaceId: string): Promise<PrivacyDefault> {
  return (await readWorkspaceSettings(db, workspaceId)).privacyDefault;
}

/** Saves the settings, to go into one batch with the history entry of the change. */
export function saveWorkspaceSettingsStatement(db: D1Database, workspaceId: string, privacyDefault: PrivacyDefault, by: string, at: string): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO workspace_settings (workspace_id, privacy_default, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (workspace_id) DO UPDATE SET privacy_default = excluded.privacy_default, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    )
    .bind(workspaceId, privacyDefault, at, by);
}
