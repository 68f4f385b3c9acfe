-- Data fidelity (issue 8). Every change keeps existing data; new columns start NULL and are filled below where
-- the existing data says what they should hold.

-- The import that wrote a member before its last writer. With created_import_id and updated_import_id it lets an
-- import recognise its own identifiers after another import wrote them between two of its batches.
ALTER TABLE members ADD COLUMN previous_import_id TEXT;

-- The line of the file a row with a problem starts on (NULL when the client did not say, e.g. CRM rows).
ALTER TABLE import_errors ADD COLUMN line_number INTEGER;

-- Which field identifies an audience's members and which of its fields are sensitive: fixed by its first import,
-- and later imports are aligned to them. NULL until the audience's first import starts.
ALTER TABLE audiences ADD COLUMN identifier_field TEXT;
-- JSON array of field keys.
ALTER TABLE audiences ADD COLUMN sensitive_fields TEXT;

-- Existing audiences: the identifier of their first import, and every field any of their imports marked sensitive
-- (values some other import left in plain text are sealed by the next import's start, see alignAudience).
UPDATE audiences SET
  identifier_field = (
    SELECT i.plan -> '$.columns' -> ('$[' || (i.plan ->> '$.identifierIndex') || ']') ->> '$.target'
    FROM imports AS i WHERE i.audience_id = audiences.id AND i.workspace_id = audiences.workspace_id
    ORDER BY i.created_at, i.rowid LIMIT 1
  ),
  sensitive_fields = (
    SELECT json_group_array(DISTINCT c.value ->> '$.target')
    FROM imports AS i, json_each(i.plan, '$.columns') AS c
    WHERE i.audience_id = audiences.id AND i.workspace_id = audiences.workspace_id AND c.value ->> '$.sensitive' = 1
  )
WHERE EXISTS (SELECT 1 FROM imports AS i WHERE i.audience_id = audiences.id AND i.workspace_id = audiences.workspace_id);

-- Audiences whose fields were sensitive in one import and plain in another hold plain values to seal.
ALTER TABLE audiences ADD COLUMN sealing_due INTEGER NOT NULL DEFAULT 0;
UPDATE audiences SET sealing_due = 1 WHERE sensitive_fields IS NOT NULL AND sensitive_fields != '[]';
