-- How one CRM connection writes members back to the CRM (issue 11): ExportSettings as JSON, one row per
-- connection. `version` grows by one each save (an editor that started from an older one is refused, so two admins
-- never overwrite each other unknowingly); who saved last and when. Goes with its connection.
CREATE TABLE export_settings (
  workspace_id TEXT NOT NULL,
  connection_id TEXT NOT NULL REFERENCES crm_connections(id) ON DELETE CASCADE,
  version INTEGER NOT NULL CHECK (version > 0),
  settings TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- The history's name of who saved ("Ada Lovelace <ada@example.com>", or an API token's name).
  updated_by TEXT NOT NULL,
  PRIMARY KEY (workspace_id, connection_id)
) WITHOUT ROWID;
