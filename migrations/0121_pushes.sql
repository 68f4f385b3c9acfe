-- "Sync to CRM" runs: one row per push, run by the PushRunWorkflow in batches of members (by ascending member id).
CREATE TABLE pushes (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  audience_id TEXT NOT NULL,
  -- PushRequest as JSON (scope, export-time values).
  request TEXT NOT NULL,
  -- The connection's ExportSettings when the push started: an edit during the run does not change it half-way.
  settings TEXT NOT NULL,
  -- The user who pressed "Sync to CRM" (their email picks the owner when no owner field is set); NULL for an API token.
  started_by TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  -- Members are pushed by ascending id: the last member id of the last batch written. A restarted run goes on after it.
  after_member_id INTEGER NOT NULL DEFAULT 0,
  batches INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  conflicts INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX pushes_by_audience ON pushes (workspace_id, audience_id, started_at);

-- The run report: per member what the push did to its CRM record.
CREATE TABLE push_records (
  workspace_id TEXT NOT NULL,
  push_id TEXT NOT NULL,
  member_id INTEGER NOT NULL,
  -- The member's identifier as shown (masked when sensitive).
  member_label TEXT NOT NULL,
  record_id TEXT,
  action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'skipped', 'conflict', 'failed')),
  -- Plain words; for a refusal the CRM's own message and code.
  message TEXT,
  vendor_code TEXT,
  -- FieldChange[] written, and two-way conflicts (both values and times) as JSON.
  changes TEXT NOT NULL,
  conflicts TEXT NOT NULL,
  PRIMARY KEY (push_id, member_id)
) WITHOUT ROWID;
