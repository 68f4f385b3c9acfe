-- Workspace settings (issue 12): for now the privacy default of new audiences a file creates. One row per
-- workspace, made on the first save; a workspace without one has the defaults (privacy_default 'off'), so no
-- existing workspace changes behaviour with this migration.
CREATE TABLE workspace_settings (
  workspace_id TEXT PRIMARY KEY,
  -- off: new file audiences start in standard mode (privacy mode can be ticked); on: they start private (it can be
  -- unticked); required: a file import can only create or first fill a private audience (the Worker refuses others).
  privacy_default TEXT NOT NULL DEFAULT 'off' CHECK (privacy_default IN ('off', 'on', 'required')),
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
) WITHOUT ROWID;
