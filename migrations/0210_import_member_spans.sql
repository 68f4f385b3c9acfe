-- Issue 12 (<= 300 B per member): undo found an import's new members through the index (audience_ref,
-- created_import), about 10 B of every member and one more b-tree every insert maintains. An import now keeps the
-- smallest and largest member_records.id it created (NULL: none), written in each batch's own transaction
-- (worker/store/importMemberSpans.ts); undo scans the audience's paging index (audience_ref, rowid) between the
-- two and still checks created_import, so an id reused inside the span by another import is never taken.
ALTER TABLE imports ADD COLUMN first_member_id INTEGER;
ALTER TABLE imports ADD COLUMN last_member_id INTEGER;

-- The imports that created members before this migration: their span from the rows themselves, in one pass (over
-- the index about to go, which holds both columns).
WITH spans AS (
  SELECT created_import AS ref, min(id) AS lo, max(id) AS hi FROM member_records
  WHERE created_import IS NOT NULL GROUP BY created_import
)
UPDATE imports SET first_member_id = spans.lo, last_member_id = spans.hi FROM spans WHERE imports.ref = spans.ref;

DROP INDEX member_records_by_created_import;
