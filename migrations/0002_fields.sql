-- Custom platform fields per workspace. Built-in fields live in code (shared/fields/builtInFields.ts), so a key
-- here may not shadow one of them; the Worker checks that on creation.
CREATE TABLE fields (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  key TEXT NOT NULL,
  label TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('email', 'phone', 'first_name', 'last_name', 'text', 'country', 'url', 'number', 'date')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, key)
) WITHOUT ROWID;
