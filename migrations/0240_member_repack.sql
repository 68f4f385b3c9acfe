-- Members still holding migration 0190's JSON text in any of their value columns, for the background re-pack into
-- the packed form (worker/store/memberRepack.ts, run by the minute's Cron Trigger). Partial: a packed member has no
-- entry, so once every member is packed the index is empty and a tick costs one probe of it; an undo that restores
-- a JSON snapshot puts its member back in. Keyed by hash_scheme so the re-pack's `hash_scheme = 1 AND id > ?` is a
-- range of it (rows still to re-key, 0, are left to keyedHashMigration, which reads JSON). Building it reads the
-- table once and writes a few bytes per member; no member changes.
CREATE INDEX member_records_json ON member_records (hash_scheme)
  WHERE typeof(attributes) = 'text' OR typeof(hashes) = 'text' OR typeof(sealed) = 'text';

-- Where the re-pack goes on from (the largest member id its last step read; 0: from the start). Members it must
-- skip (a value it cannot decode, a row not keyed yet) would otherwise be read again first by every step and could
-- stall it; with the cursor a step reads on past them and the next pass from 0 tries them again.
CREATE TABLE member_repack_cursor (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  after_id INTEGER NOT NULL
);
INSERT INTO member_repack_cursor (one, after_id) VALUES (1, 0);

-- Where a re-pack step stages the members it rewrites, inside its own D1 transaction (empty before and after it): the
-- step deletes them from member_records and inserts them again, same ids and every column as it was but the three
-- value columns, because SQLite updates a row in place — its page keeps the room the JSON took (measured: records
-- 472 → 249 B a member, pages still 513 B) — while rows deleted and inserted again in id order fill fresh pages.
-- No types: each value keeps the storage class member_records gave it.
CREATE TABLE member_repack_rows (
  id, audience_ref, identifier_key, attributes, hashes, sealed, created_import, previous_import, updated_import,
  created_at, updated_at, hash_scheme, removed_from_source_at
);
