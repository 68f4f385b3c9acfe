CREATE TABLE audiences (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  -- Kept by the batch writes in the same transaction: count(*) over a million members on every listing would
  -- read a million rows each time.
  member_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX audiences_by_workspace ON audiences (workspace_id, created_at);

-- One row per distinct identifier in an audience. Sensitive fields never appear in `attributes`: they are kept
-- as SHA-256 hex (`hashes`, for matching) and AES-256-GCM ciphertext (`sealed`, for a future authorized export).
CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  audience_id TEXT NOT NULL REFERENCES audiences(id),
  -- Normalized identifier value, or the SHA-256 hex of its hash input when the identifier column is sensitive.
  identifier_key TEXT NOT NULL,
  attributes TEXT NOT NULL DEFAULT '{}',
  hashes TEXT NOT NULL DEFAULT '{}',
  sealed TEXT NOT NULL DEFAULT '{}',
  created_import_id TEXT,
  updated_import_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- Dedupe and the per-batch identifier lookup; also the ON CONFLICT target of the upserts.
CREATE UNIQUE INDEX members_by_identifier ON members (audience_id, identifier_key);
-- Keyset paging of an audience's members.
CREATE INDEX members_by_audience_page ON members (workspace_id, audience_id, id);
