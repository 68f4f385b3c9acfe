-- A saved mapping, found again by the header signature of the next file with the same layout.
CREATE TABLE mapping_templates (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  signature TEXT NOT NULL,
  name TEXT NOT NULL,
  mapping TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX mapping_templates_by_signature ON mapping_templates (workspace_id, signature);
