-- Tenancy root: every other table carries workspace_id and every query filters on it. One 'default' workspace
-- until auth exists (the Worker resolves it in one middleware).
CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (datetime('now')));
INSERT INTO workspaces (id, name) VALUES ('default', 'Default workspace');
