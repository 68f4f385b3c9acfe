-- A sync keeps an audience in step with a CRM table: a saved CRM import with an update cycle, run by the Worker.
CREATE TABLE syncs (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  audience_id TEXT NOT NULL REFERENCES audiences(id),
  -- The version new runs use; editing a sync adds a version, a running run keeps the one it started with.
  current_version INTEGER NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  -- Who confirmed double opt-in for everything this sync will ever bring in, and when.
  consent_by TEXT NOT NULL,
  consent_at TEXT NOT NULL,
  -- The signed-in user who gave it (NULL when an API token created the sync).
  consent_user_id TEXT,
  -- The largest modification stamp of the last successful run: later runs ask only for what changed after it.
  high_water_mark TEXT,
  next_run_at TEXT,
  -- The guard that keeps runs of one sync from overlapping: set only when NULL, in one statement.
  running_run_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX syncs_by_workspace ON syncs (workspace_id, created_at);
-- The cron handler's question every minute: which syncs are due.
CREATE INDEX syncs_due ON syncs (next_run_at) WHERE paused = 0;

-- Every version of a sync's settings (SyncSettings as JSON), never changed once written.
CREATE TABLE sync_versions (
  workspace_id TEXT NOT NULL,
  sync_id TEXT NOT NULL REFERENCES syncs(id),
  version INTEGER NOT NULL,
  settings TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (sync_id, version)
) WITHOUT ROWID;

-- One row per run; its rows go through an import (import_id), so counts, row errors and the report are the import's.
CREATE TABLE sync_runs (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  sync_id TEXT NOT NULL REFERENCES syncs(id),
  version INTEGER NOT NULL,
  import_id TEXT NOT NULL REFERENCES imports(id),
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  -- NULL: a full pull; otherwise records modified after this instant (high-water mark minus the overlap window).
  changed_since TEXT,
  -- The largest modification stamp seen so far in this run.
  high_water_mark TEXT,
  pulled INTEGER NOT NULL DEFAULT 0,
  removed INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX sync_runs_by_sync ON sync_runs (workspace_id, sync_id, started_at);

-- The CRM cursor that fetches page `seq` of a run, written before page seq-1 is stored: a run that dies resumes at
-- the import's next_seq with the cursor for exactly that page.
CREATE TABLE sync_run_cursors (
  run_id TEXT NOT NULL REFERENCES sync_runs(id),
  seq INTEGER NOT NULL,
  cursor TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- A member kept after its record left the CRM (deletion rule "keep"), with when that was seen.
ALTER TABLE members ADD COLUMN removed_from_source_at TEXT;
