CREATE TABLE imports (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  audience_id TEXT NOT NULL REFERENCES audiences(id),
  status TEXT NOT NULL CHECK (status IN ('open', 'completed')) DEFAULT 'open',
  source TEXT NOT NULL,
  -- The mapping as the user gave it, and the plan derived from it at start (field types resolved then), so a
  -- field changed mid-import cannot make two batches of one import disagree.
  mapping TEXT NOT NULL,
  plan TEXT NOT NULL,
  on_match TEXT NOT NULL CHECK (on_match IN ('update', 'reject')),
  default_country TEXT NOT NULL,
  batch_size INTEGER NOT NULL,
  expected_rows INTEGER,
  next_seq INTEGER NOT NULL DEFAULT 0,
  received INTEGER NOT NULL DEFAULT 0,
  inserted INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX imports_by_audience ON imports (workspace_id, audience_id, created_at);

-- One row per applied batch. The primary key makes a concurrent duplicate of a batch fail as a whole (its D1
-- batch is one transaction); `result` holds the counts a retry is answered with (its errors are in import_errors).
CREATE TABLE import_batches (
  workspace_id TEXT NOT NULL,
  import_id TEXT NOT NULL REFERENCES imports(id),
  seq INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (import_id, seq)
) WITHOUT ROWID;

-- Row problems in source order: (seq, ordinal) replays a batch's errors exactly and pages the report.
CREATE TABLE import_errors (
  workspace_id TEXT NOT NULL,
  import_id TEXT NOT NULL REFERENCES imports(id),
  seq INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  row_number INTEGER NOT NULL,
  column_name TEXT,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  -- Masked when the column is sensitive.
  value TEXT,
  PRIMARY KEY (import_id, seq, ordinal)
) WITHOUT ROWID;
