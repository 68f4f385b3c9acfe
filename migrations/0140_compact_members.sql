-- Compact members (issue 12). A member row repeated two text UUIDs (workspace_id, audience_id: 43 bytes) in the row
-- and in each of its three indexes, three import UUIDs (36 bytes each, one more in an index) and two ISO timestamps
-- (24 bytes each): ≈ 300 of its ≈ 1,040 bytes (table + indexes, measured by scripts/bench/memberBytes.ts).
--
-- Members are now stored in `member_records`, which names its audience and its imports by small integers and keeps
-- its timestamps as epoch milliseconds. `members` becomes a view of the same rows in the shape they always had, so
-- every reader keeps working; writes through it are carried over to member_records by the triggers below. The
-- Worker's hot paths (worker/store/) use member_records directly. Audiences and imports keep their public text id.

-- The integer an audience (an import) is named by in member_records: given once, never reused, never changed.
ALTER TABLE audiences ADD COLUMN ref INTEGER;
UPDATE audiences SET ref = rowid;
CREATE UNIQUE INDEX audiences_by_ref ON audiences (ref);
CREATE TRIGGER audiences_ref AFTER INSERT ON audiences WHEN new.ref IS NULL
BEGIN
  UPDATE audiences SET ref = (SELECT coalesce(max(ref), 0) + 1 FROM audiences) WHERE rowid = new.rowid;
END;

ALTER TABLE imports ADD COLUMN ref INTEGER;
UPDATE imports SET ref = rowid;
CREATE UNIQUE INDEX imports_by_ref ON imports (ref);
CREATE TRIGGER imports_ref AFTER INSERT ON imports WHEN new.ref IS NULL
BEGIN
  UPDATE imports SET ref = (SELECT coalesce(max(ref), 0) + 1 FROM imports) WHERE rowid = new.rowid;
END;

-- The workspace is the audience's: scoping a query by (workspace, audience) resolves the audience's ref once, and an
-- audience of another workspace resolves to nothing.
CREATE TABLE member_records (
  id INTEGER PRIMARY KEY,
  audience_ref INTEGER NOT NULL REFERENCES audiences(ref),
  -- Normalized identifier value, or its keyed hash when the identifier column is sensitive.
  identifier_key TEXT NOT NULL,
  attributes TEXT NOT NULL DEFAULT '{}',
  hashes TEXT NOT NULL DEFAULT '{}',
  sealed TEXT NOT NULL DEFAULT '{}',
  -- imports.ref of the import that created the member, of the one before its last writer, of its last writer.
  created_import INTEGER,
  previous_import INTEGER,
  updated_import INTEGER,
  -- Epoch milliseconds (the ISO text had millisecond precision, so nothing is lost).
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  hash_scheme INTEGER NOT NULL DEFAULT 1,
  removed_from_source_at TEXT
);

-- Every member must carry over exactly: an import id with no import, or a timestamp that is not one, stops the
-- migration here (NOT NULL) instead of being dropped. `problem` names the first such member.
CREATE TABLE compact_members_check (problem TEXT NOT NULL);
INSERT INTO compact_members_check (problem)
SELECT CASE WHEN EXISTS (
  SELECT 1 FROM members AS m
  WHERE (m.created_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports AS i WHERE i.id = m.created_import_id))
     OR (m.previous_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports AS i WHERE i.id = m.previous_import_id))
     OR (m.updated_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports AS i WHERE i.id = m.updated_import_id))
     OR unixepoch(m.created_at, 'subsec') IS NULL OR unixepoch(m.updated_at, 'subsec') IS NULL
     OR NOT EXISTS (SELECT 1 FROM audiences AS a WHERE a.id = m.audience_id)
) THEN NULL ELSE 'none' END;
DROP TABLE compact_members_check;

INSERT INTO member_records (id, audience_ref, identifier_key, attributes, hashes, sealed, created_import, previous_import, updated_import,
  created_at, updated_at, hash_scheme, removed_from_source_at)
SELECT m.id, a.ref, m.identifier_key, m.attributes, m.hashes, m.sealed,
  (SELECT i.ref FROM imports AS i WHERE i.id = m.created_import_id),
  (SELECT i.ref FROM imports AS i WHERE i.id = m.previous_import_id),
  (SELECT i.ref FROM imports AS i WHERE i.id = m.updated_import_id),
  CAST(round(unixepoch(m.created_at, 'subsec') * 1000) AS INTEGER), CAST(round(unixepoch(m.updated_at, 'subsec') * 1000) AS INTEGER),
  m.hash_scheme, m.removed_from_source_at
FROM members AS m JOIN audiences AS a ON a.id = m.audience_id;

DROP INDEX members_unkeyed;
DROP INDEX members_by_created_import;
DROP INDEX members_by_audience_page;
DROP INDEX members_by_identifier;
DROP TABLE members;

-- Dedupe and the per-batch identifier lookup; also the ON CONFLICT target of the upserts.
CREATE UNIQUE INDEX member_records_by_identifier ON member_records (audience_ref, identifier_key);
-- Keyset paging of an audience's members (every index ends with the rowid, so this is (audience_ref, id)).
CREATE INDEX member_records_by_audience ON member_records (audience_ref);
-- Undo removes an import's new members.
CREATE INDEX member_records_by_created_import ON member_records (audience_ref, created_import);
-- Rows still to re-key (migration 0050); shrinks to nothing.
CREATE INDEX member_records_unkeyed ON member_records (id) WHERE hash_scheme = 0;

-- The members as they always read: same columns, same order, text ids and ISO timestamps. The import ids are
-- subqueries, run only for rows whose id a query reads (as LEFT JOINs they were probed for every row a count read).
CREATE VIEW members AS
SELECT r.id, a.workspace_id, a.id AS audience_id, r.identifier_key, r.attributes, r.hashes, r.sealed,
  (SELECT id FROM imports WHERE ref = r.created_import) AS created_import_id,
  (SELECT id FROM imports WHERE ref = r.updated_import) AS updated_import_id,
  strftime('%Y-%m-%dT%H:%M:%fZ', r.created_at / 1000.0, 'unixepoch') AS created_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', r.updated_at / 1000.0, 'unixepoch') AS updated_at,
  (SELECT id FROM imports WHERE ref = r.previous_import) AS previous_import_id,
  r.hash_scheme, r.removed_from_source_at
FROM member_records AS r
JOIN audiences AS a ON a.ref = r.audience_ref;

-- Writes through the view, as they would have been on the table (its defaults included). An import id with no
-- import or a time that is not one is refused rather than stored as NULL. The view's change count is 0: code that
-- counts what it changed writes member_records.
CREATE TRIGGER members_insert INSTEAD OF INSERT ON members
BEGIN
  SELECT RAISE(ABORT, 'members: unknown import id')
  WHERE (new.created_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.created_import_id))
     OR (new.previous_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.previous_import_id))
     OR (new.updated_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.updated_import_id));
  SELECT RAISE(ABORT, 'members: created_at and updated_at must be ISO 8601 times')
  WHERE unixepoch(new.created_at, 'subsec') IS NULL OR unixepoch(new.updated_at, 'subsec') IS NULL;
  INSERT INTO member_records (id, audience_ref, identifier_key, attributes, hashes, sealed, created_import, previous_import, updated_import,
    created_at, updated_at, hash_scheme, removed_from_source_at)
  VALUES (new.id, (SELECT ref FROM audiences WHERE id = new.audience_id AND workspace_id = new.workspace_id), new.identifier_key,
    coalesce(new.attributes, '{}'), coalesce(new.hashes, '{}'), coalesce(new.sealed, '{}'),
    (SELECT ref FROM imports WHERE id = new.created_import_id), (SELECT ref FROM imports WHERE id = new.previous_import_id),
    (SELECT ref FROM imports WHERE id = new.updated_import_id),
    CAST(round(unixepoch(new.created_at, 'subsec') * 1000) AS INTEGER), CAST(round(unixepoch(new.updated_at, 'subsec') * 1000) AS INTEGER),
    coalesce(new.hash_scheme, 1), new.removed_from_source_at);
END;

CREATE TRIGGER members_update INSTEAD OF UPDATE ON members
BEGIN
  SELECT RAISE(ABORT, 'members: unknown import id')
  WHERE (new.created_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.created_import_id))
     OR (new.previous_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.previous_import_id))
     OR (new.updated_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.updated_import_id));
  SELECT RAISE(ABORT, 'members: created_at and updated_at must be ISO 8601 times')
  WHERE unixepoch(new.created_at, 'subsec') IS NULL OR unixepoch(new.updated_at, 'subsec') IS NULL;
  UPDATE member_records SET
    audience_ref = (SELECT ref FROM audiences WHERE id = new.audience_id AND workspace_id = new.workspace_id),
    identifier_key = new.identifier_key, attributes = new.attributes, hashes = new.hashes, sealed = new.sealed,
    created_import = (SELECT ref FROM imports WHERE id = new.created_import_id),
    previous_import = (SELECT ref FROM imports WHERE id = new.previous_import_id),
    updated_import = (SELECT ref FROM imports WHERE id = new.updated_import_id),
    created_at = CAST(round(unixepoch(new.created_at, 'subsec') * 1000) AS INTEGER),
    updated_at = CAST(round(unixepoch(new.updated_at, 'subsec') * 1000) AS INTEGER),
    hash_scheme = new.hash_scheme, removed_from_source_at = new.removed_from_source_at
  WHERE id = old.id;
END;

CREATE TRIGGER members_delete INSTEAD OF DELETE ON members
BEGIN
  DELETE FROM member_records WHERE id = old.id;
END;
