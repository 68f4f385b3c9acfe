-- What an undo needs: per import, each member it changed as it was just before (first touch only), so the
-- import can be rolled back exactly. Sensitive fields stay as stored (hashes and sealed ciphertext), never plain.
CREATE TABLE member_snapshots (
  workspace_id TEXT NOT NULL,
  import_id TEXT NOT NULL REFERENCES imports(id),
  member_id INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  hashes TEXT NOT NULL,
  sealed TEXT NOT NULL,
  updated_import_id TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (import_id, member_id)
) WITHOUT ROWID;
-- Finding the later imports that touched the same members (the undo chain).
CREATE INDEX member_snapshots_by_member ON member_snapshots (member_id, import_id);
-- Undo removes an import's new members: without it, every undo would read the whole audience.
CREATE INDEX members_by_created_import ON members (audience_id, created_import_id);

-- Imports written before snapshots existed cannot be undone exactly; they say so instead of half-undoing.
ALTER TABLE imports ADD COLUMN keeps_snapshots INTEGER NOT NULL DEFAULT 1;
UPDATE imports SET keeps_snapshots = 0;

-- One row per undone import: the history's record of the undo. NOT NULL on undone_at doubles as the guard of the
-- undo transaction (a later import that touched the same members makes it NULL and aborts everything).
CREATE TABLE import_undos (
  import_id TEXT PRIMARY KEY REFERENCES imports(id),
  workspace_id TEXT NOT NULL,
  audience_id TEXT NOT NULL,
  removed INTEGER NOT NULL,
  restored INTEGER NOT NULL,
  undone_at TEXT NOT NULL
) WITHOUT ROWID;

-- A dry run: the same classification as an import, counted, with the identifiers it has seen so far (so a repeat
-- in a later batch counts as a duplicate, as in the real import). No member is written.
CREATE TABLE dry_runs (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  -- NULL: against a new, empty audience.
  audience_id TEXT,
  plan TEXT NOT NULL,
  next_seq INTEGER NOT NULL DEFAULT 0,
  counts TEXT NOT NULL,
  reasons TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE TABLE dry_run_keys (
  dry_run_id TEXT NOT NULL REFERENCES dry_runs(id),
  identifier_key TEXT NOT NULL,
  PRIMARY KEY (dry_run_id, identifier_key)
) WITHOUT ROWID;
