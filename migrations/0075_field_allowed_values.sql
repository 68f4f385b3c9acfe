-- The values a platform field accepts, from the CRM pick lists syncs map onto it (built-in fields too, hence keyed by
-- field key, not by a row of `fields`). A field's allowed values are the union of its sources; a field with none
-- accepts any value of its type. Each sync's rows follow the pick lists as the CRM describes them when a run starts,
-- so a value added in the CRM is allowed from the next run on.
CREATE TABLE field_allowed_values (
  workspace_id TEXT NOT NULL,
  field_key TEXT NOT NULL,
  -- The sync whose mapping maps the pick list onto the field, and the pick list's API name in the CRM.
  sync_id TEXT NOT NULL,
  crm_field TEXT NOT NULL,
  -- The CRM's code (Salesforce API value, Dataverse option number) and the label people see and members hold.
  code TEXT NOT NULL,
  label TEXT NOT NULL,
  -- Order in the CRM's pick list, which is the order people know.
  position INTEGER NOT NULL,
  refreshed_at TEXT NOT NULL,
  -- 1 from the moment the value appears until a run of the sync claims it: records rejected earlier for this value
  -- were not pulled with it allowed, so that run pulls everything again.
  awaiting_full_pull INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, field_key, sync_id, code)
) WITHOUT ROWID;
-- A sync's rows, refreshed at each run's start.
CREATE INDEX field_allowed_values_by_sync ON field_allowed_values (workspace_id, sync_id);
