-- Members may now hold their attributes, hashes and sealed values as packed BLOBs (worker/store/packedColumns.ts),
-- beside migration 0190's JSON text. SQL cannot decode the packed form (varints, raw bytes), so every reader of the
-- Worker decodes in TypeScript from member_records, and this view gives NULL for a packed column (typeof 'blob') and
-- for a JSON one exactly what it gave before. Its triggers are the same, except that an UPDATE through the view that
-- leaves a packed column as the view read it (NULL) keeps the stored bytes instead of writing an empty object over
-- them. Nothing stored changes.
DROP TRIGGER members_insert;
DROP TRIGGER members_update;
DROP TRIGGER members_delete;
DROP VIEW members;

CREATE VIEW members AS
SELECT r.id, a.workspace_id, a.id AS audience_id, r.identifier_key,
  CASE WHEN typeof(r.attributes) = 'blob' THEN NULL ELSE
  (SELECT json_group_object(n.key, CASE WHEN d.type = 'integer' THEN r.identifier_key ELSE d.value END)
   FROM json_each(r.attributes) AS d CROSS JOIN member_field_refs AS n
   WHERE n.workspace_id = a.workspace_id AND n.ref = CAST(d.key AS INTEGER)) END AS attributes,
  CASE WHEN typeof(r.hashes) = 'blob' THEN NULL ELSE
  (SELECT json_group_object(n.key, CASE WHEN d.type = 'integer' THEN r.identifier_key ELSE d.value END)
   FROM json_each(r.hashes) AS d CROSS JOIN member_field_refs AS n
   WHERE n.workspace_id = a.workspace_id AND n.ref = CAST(d.key AS INTEGER)) END AS hashes,
  CASE WHEN typeof(r.sealed) = 'blob' THEN NULL ELSE
  (SELECT json_group_object(n.key, d.value) FROM json_each(r.sealed) AS d CROSS JOIN member_field_refs AS n
   WHERE n.workspace_id = a.workspace_id AND n.ref = CAST(d.key AS INTEGER)) END AS sealed,
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
    attributes = CASE WHEN typeof(member_records.attributes) = 'blob' AND new.attributes IS NULL THEN member_records.attributes ELSE (SELECT json_group_object(r.ref, e.value) FROM json_each(new.attributes) AS e CROSS JOIN member_field_refs AS r
                  WHERE r.workspace_id = new.workspace_id AND r.key = e.key) END,
    hashes = CASE WHEN typeof(member_records.hashes) = 'blob' AND new.hashes IS NULL THEN member_records.hashes ELSE (SELECT json_group_object(r.ref, e.value) FROM json_each(new.hashes) AS e CROSS JOIN member_field_refs AS r
              WHERE r.workspace_id = new.workspace_id AND r.key = e.key) END,
    sealed = CASE WHEN typeof(member_records.sealed) = 'blob' AND new.sealed IS NULL THEN member_records.sealed ELSE (SELECT json_group_object(r.ref, e.value) FROM json_each(new.sealed) AS e CROSS JOIN member_field_refs AS r
              WHERE r.workspace_id = new.workspace_id AND r.key = e.key) END,
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
