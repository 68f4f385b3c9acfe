-- Who changed what in a workspace's integrations, syncs, templates, roles and tokens, and how: one row per change,
-- written in the same D1 batch as the change where the route can (worker/history/recordChange.ts). Never updated,
-- never deleted with what it describes (a removed member or revoked token keeps its history). before/after are JSON
-- of the settings as the API shows them, without secrets or tokens.
CREATE TABLE change_history (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  at TEXT NOT NULL,
  -- 'user' (a signed-in person: their user id) or 'api_token' (the token's id); the label is the name and email or
  -- the token's name as they were at the time, so the entry reads the same after a rename or removal.
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_token')),
  actor_id TEXT NOT NULL,
  actor_label TEXT NOT NULL,
  -- integration | table_config | mapping_template | sync | export_settings | member_role | api_token (shared/schema/history.ts)
  subject_kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  subject_label TEXT NOT NULL,
  -- The integration the change belongs to, when it belongs to one: its history page lists these.
  connection_id TEXT,
  action TEXT NOT NULL,
  before TEXT,
  after TEXT
);
-- Newest first, per workspace (the workspace history page), per kind, and per integration.
CREATE INDEX change_history_by_workspace ON change_history (workspace_id, at, id);
CREATE INDEX change_history_by_kind ON change_history (workspace_id, subject_kind, at, id);
CREATE INDEX change_history_by_connection ON change_history (workspace_id, connection_id, at, id) WHERE connection_id IS NOT NULL;
