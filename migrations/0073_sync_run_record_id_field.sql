-- The field holding each record's id (Id, contactid), read once at a run's first page with the table's metadata.
ALTER TABLE sync_runs ADD COLUMN record_id_field TEXT;
