-- A pick list a sync maps may be a multi-select (several values a cell: Salesforce multipicklist, Dataverse
-- MultiSelectPicklist); and a value the CRM no longer offers is kept, marked retired, instead of deleted, so the
-- members holding it keep it and show it as retired (shared/validation/pickListValues.ts).
ALTER TABLE field_allowed_values ADD COLUMN multiple INTEGER NOT NULL DEFAULT 0;
ALTER TABLE field_allowed_values ADD COLUMN retired_at TEXT;
