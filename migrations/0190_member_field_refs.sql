-- Compact members, field refs (issue 12): a member's attributes, hashes and sealed values are JSON objects keyed by a
-- small per-workspace number per field instead of the field's name (≈ 10 B a value: 7 plain and 2 sensitive fields
-- repeated their names in every member of the bench). The Worker writes the numbered JSON itself
-- (worker/store/members.ts, `encodedFields`), so the insert stays `… j.value -> 1 … FROM json_each(?)` with no
-- re-keying in SQL, and a merge stays json_patch. Readers decode at the edge of their SELECT (`namedJson`), and the
-- `members` view below decodes the same way, so its readers keep seeing name-keyed JSON text.
-- A value equal to the member's identifier_key (a plain identifier's own field, a sensitive identifier's keyed hash)
-- is stored once, as the JSON number 0 in `attributes` or `hashes` (values are always strings, so 0 is never one);
-- snapshots keep values written out, since a member's key may change before an undo.

-- The number a field name is stored under, per workspace: given once (the workspace's largest + 1), never reused,
-- never changed, never removed — so a stored member always decodes to the names it was written with.
CREATE TABLE member_field_refs (
  workspace_id TEXT NOT NULL,
  ref INTEGER NOT NULL,
  key TEXT NOT NULL,
  PRIMARY KEY (workspace_id, ref)
) WITHOUT ROWID;
CREATE UNIQUE INDEX member_field_refs_by_key ON member_field_refs (workspace_id, key);

-- Every name any member or snapshot holds today, numbered per workspace in name order.
INSERT INTO member_field_refs (workspace_id, ref, key)
SELECT ws, row_number() OVER (PARTITION BY ws ORDER BY key), key
FROM (
  SELECT a.workspace_id AS ws, e.key AS key
  FROM member_records AS m JOIN audiences AS a ON a.ref = m.audience_ref,
    json_each(json_array(json(m.attributes), json(m.hashes), json(m.sealed))) AS c, json_each(c.value) AS e
  UNION
  SELECT s.workspace_id, e.key
  FROM member_snapshots AS s, json_each(json_array(json(s.attributes), json(s.hashes), json(s.sealed))) AS c, json_each(c.value) AS e
);

-- Every member and snapshot must carry over exactly: a column that is not a JSON object of strings, or whose
-- numbered form does not decode to the very same (name, value) pairs, stops the migration here (NOT NULL) with
-- nothing changed.
CREATE TABLE member_field_refs_check (problem TEXT NOT NULL);
INSERT INTO member_field_refs_check (problem)
SELECT CASE WHEN EXISTS (
  SELECT 1
  FROM (
    SELECT c.v,
      -- numbered (the key's value as 0), then decoded, exactly as worker/store/members.ts does
      (SELECT json_group_object(n.key, CASE WHEN d.type = 'integer' THEN c.k ELSE d.value END) FROM json_each(
         (SELECT json_group_object(r.ref, CASE WHEN e.value = c.k THEN 0 ELSE e.value END)
          FROM json_each(c.v) AS e LEFT JOIN member_field_refs AS r ON r.workspace_id = c.ws AND r.key = e.key)
       ) AS d CROSS JOIN member_field_refs AS n WHERE n.workspace_id = c.ws AND n.ref = CAST(d.key AS INTEGER)) AS decoded
    FROM (
      -- k: the member's key for attributes and hashes (stored once), none for sealed values and snapshots
      SELECT a.workspace_id AS ws, c.value AS v, CASE WHEN c.key < 2 THEN m.identifier_key END AS k
      FROM member_records AS m JOIN audiences AS a ON a.ref = m.audience_ref,
        json_each(json_array(json(m.attributes), json(m.hashes), json(m.sealed))) AS c
      UNION ALL
      SELECT s.workspace_id, c.value, NULL FROM member_snapshots AS s, json_each(json_array(json(s.attributes), json(s.hashes), json(s.sealed))) AS c
    ) AS c
  ) AS x
  WHERE json_type(x.v) IS NOT 'object'
     OR EXISTS (SELECT 1 FROM json_each(x.v) AS o WHERE o.type <> 'text')
     OR (SELECT count(*) FROM json_each(x.v)) <> (SELECT count(*) FROM json_each(x.decoded))
     OR EXISTS (SELECT 1 FROM json_each(x.v) AS o
                WHERE NOT EXISTS (SELECT 1 FROM json_each(x.decoded) AS d WHERE d.key = o.key AND d.value = o.value AND d.type = 'text'))
) THEN NULL ELSE 'none' END;
DROP TABLE member_field_refs_check;

UPDATE member_records SET
  attributes = (SELECT json_group_object(r.ref, CASE WHEN e.value = member_records.identifier_key THEN 0 ELSE e.value END)
                FROM audiences AS a, json_each(member_records.attributes) AS e
                CROSS JOIN member_field_refs AS r WHERE a.ref = member_records.audience_ref AND r.workspace_id = a.workspace_id AND r.key = e.key),
  hashes = (SELECT json_group_object(r.ref, CASE WHEN e.value = member_records.identifier_key THEN 0 ELSE e.value END)
            FROM audiences AS a, json_each(member_records.hashes) AS e
            CROSS JOIN member_field_refs AS r WHERE a.ref = member_records.audience_ref AND r.workspace_id = a.workspace_id AND r.key = e.key),
  sealed = (SELECT json_group_object(r.ref, e.value) FROM audiences AS a, json_each(member_records.sealed) AS e
            CROSS JOIN member_field_refs AS r WHERE a.ref = member_records.audience_ref AND r.workspace_id = a.workspace_id AND r.key = e.key);

UPDATE member_snapshots SET
  attributes = (SELECT json_group_object(r.ref, e.value) FROM json_each(member_snapshots.attributes) AS e
                CROSS JOIN member_field_refs AS r WHERE r.workspace_id = member_snapshots.workspace_id AND r.key = e.key),
  hashes = (SELECT json_group_object(r.ref, e.value) FROM json_each(member_snapshots.hashes) AS e
            CROSS JOIN member_field_refs AS r WHERE r.workspace_id = member_snapshots.workspace_id AND r.key = e.key),
  sealed = (SELECT json_group_object(r.ref, e.value) FROM json_each(member_snapshots.sealed) AS e
            CROSS JOIN member_field_refs AS r WHERE r.workspace_id = member_snapshots.workspace_id AND r.key = e.key);

-- The members as they always read (name-keyed JSON text); writes through it store the numbered form.
DROP TRIGGER members_insert;
DROP TRIGGER members_update;
DROP TRIGGER members_delete;
DROP VIEW members;

CREATE VIEW members AS
SELECT r.id, a.workspace_id, a.id AS audience_id, r.identifier_key,
  (SELECT json_group_object(n.key, CASE WHEN d.type = 'integer' THEN r.identifier_key ELSE d.value END)
   FROM json_each(r.attributes) AS d CROSS JOIN member_field_refs AS n
   WHERE n.workspace_id = a.workspace_id AND n.ref = CAST(d.key AS INTEGER)) AS attributes,
  (SELECT json_group_object(n.key, CASE WHEN d.type = 'integer' THEN r.identifier_key ELSE d.value END)
   FROM json_each(r.hashes) AS d CROSS JOIN member_field_refs AS n
   WHERE n.workspace_id = a.workspace_id AND n.ref = CAST(d.key AS INTEGER)) AS hashes,
  (SELECT json_group_object(n.key, d.value) FROM json_each(r.sealed) AS d CROSS JOIN member_field_refs AS n
   WHERE n.workspace_id = a.workspace_id AND n.ref = CAST(d.key AS INTEGER)) AS sealed,
  (SELECT id FROM imports WHERE ref = r.created_import) AS created_import_id,
  (SELECT id FROM imports WHERE ref = r.updated_import) AS updated_import_id,
  strftime('%Y-%m-%dT%H:%M:%fZ', r.created_at / 1000.0, 'unixepoch') AS created_at,
  strftime('%Y-%m-%dT%H:%M:%fZ', r.updated_at / 1000.0, 'unixepoch') AS updated_at,
  (SELECT id FROM imports WHERE ref = r.previous_import) AS previous_import_id,
  r.hash_scheme, r.removed_from_source_at
FROM member_records AS r
JOIN audiences AS a ON a.ref = r.audience_ref;

-- Writes through the view number new names first (as the Worker's fieldRefs does), then store the numbered form
-- (values written out: a value stored as the key's 0 is only an economy, never required).
CREATE TRIGGER members_insert INSTEAD OF INSERT ON members
BEGIN
  SELECT RAISE(ABORT, 'members: unknown import id')
  WHERE (new.created_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.created_import_id))
     OR (new.previous_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.previous_import_id))
     OR (new.updated_import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports WHERE id = new.updated_import_id));
  SELECT RAISE(ABORT, 'members: created_at and updated_at must be ISO 8601 times')
  WHERE unixepoch(new.created_at, 'subsec') IS NULL OR unixepoch(new.updated_at, 'subsec') IS NULL;
  INSERT INTO member_field_refs (workspace_id, ref, key)
  SELECT new.workspace_id, (SELECT coalesce(max(ref), 0) FROM member_field_refs WHERE workspace_id = new.workspace_id) + row_number() OVER (ORDER BY k.key), k.key
  FROM (SELECT DISTINCT e.key AS key
        FROM json_each(json_array(json(coalesce(new.attributes, '{}')), json(coalesce(new.hashes, '{}')), json(coalesce(new.sealed, '{}')))) AS c,
          json_each(c.value) AS e
        WHERE NOT EXISTS (SELECT 1 FROM member_field_refs AS r WHERE r.workspace_id = new.workspace_id AND r.key = e.key)) AS k;
  INSERT INTO member_records (id, audience_ref, identifier_key, attributes, hashes, sealed, created_import, previous_import, updated_import,
    created_at, updated_at, hash_scheme, removed_from_source_at)
  VALUES (new.id, (SELECT ref FROM audiences WHERE id = new.audience_id AND workspace_id = new.workspace_id), new.identifier_key,
    (SELECT json_group_object(r.ref, e.value) FROM json_each(coalesce(new.attributes, '{}')) AS e CROSS JOIN member_field_refs AS r
     WHERE r.workspace_id = new.workspace_id AND r.key = e.key),
    (SELECT json_group_object(r.ref, e.value) FROM json_each(coalesce(new.hashes, '{}')) AS e CROSS JOIN member_field_refs AS r
     WHERE r.workspace_id = new.workspace_id AND r.key = e.key),
    (SELECT json_group_object(r.ref, e.value) FROM json_each(coalesce(new.sealed, '{}')) AS e CROSS JOIN member_field_refs AS r
     WHERE r.workspace_id = new.workspace_id AND r.key = e.key),
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
  INSERT INTO member_field_refs (workspace_id, ref, key)
  SELECT new.workspace_id, (SELECT coalesce(max(ref), 0) FROM member_field_refs WHERE workspace_id = new.workspace_id) + row_number() OVER (ORDER BY k.key), k.key
  FROM (SELECT DISTINCT e.key AS key
        FROM json_each(json_array(json(new.attributes), json(new.hashes), json(new.sealed))) AS c, json_each(c.value) AS e
        WHERE NOT EXISTS (SELECT 1 FROM member_field_refs AS r WHERE r.workspace_id = new.workspace_id AND r.key = e.key)) AS k;
  UPDATE member_records SET
    audience_ref = (SELECT ref FROM audiences WHERE id = new.audience_id AND workspace_id = new.workspace_id),
    identifier_key = new.identifier_key,
    attributes = (SELECT json_group_object(r.ref, e.value) FROM json_each(new.attributes) AS e CROSS JOIN member_field_refs AS r
                  WHERE r.workspace_id = new.workspace_id AND r.key = e.key),
    hashes = (SELECT json_group_object(r.ref, e.value) FROM json_each(new.hashes) AS e CROSS JOIN member_field_refs AS r
              WHERE r.workspace_id = new.workspace_id AND r.key = e.key),
    sealed = (SELECT json_group_object(r.ref, e.value) FROM json_each(new.sealed) AS e CROSS JOIN member_field_refs AS r
              WHERE r.workspace_id = new.workspace_id AND r.key = e.key),
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
