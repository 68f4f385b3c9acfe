-- Which sync run last saw each record in the CRM: its pull, or the id-only pull that looks for records gone from
-- the CRM when the CRM says nothing about deletions (worker/sync/reconcile.ts). A run's sweep removes the members of
-- records it did not see. NULL: a link only a push wrote (a record this app created in the CRM), never swept.
ALTER TABLE crm_record_links ADD COLUMN seen_by_run TEXT;
-- Links written by sync pulls before this column: seen by no run yet, so the next full run or reconcile decides.
-- Records a push created are left out: the CRM record of a member from elsewhere is not the sync's to sweep.
UPDATE crm_record_links SET seen_by_run = 'before-0150'
WHERE EXISTS (
    SELECT 1 FROM syncs s JOIN sync_versions v ON v.sync_id = s.id AND v.version = s.current_version
    WHERE s.workspace_id = crm_record_links.workspace_id AND s.connection_id = crm_record_links.connection_id
      AND s.audience_id = crm_record_links.audience_id AND json_extract(v.settings, '$.object') = crm_record_links.object)
  AND NOT EXISTS (
    SELECT 1 FROM push_records p WHERE p.workspace_id = crm_record_links.workspace_id AND p.record_id = crm_record_links.record_id AND p.action = 'created');
-- Where a run's reconcile is: NULL (not decided yet), 'skip', 'ids' (pulling the ids of the records that match),
-- 'sweep' (removing the members of records not seen), 'done'; and the id pull's page and cursor.
ALTER TABLE sync_runs ADD COLUMN reconcile TEXT;
ALTER TABLE sync_runs ADD COLUMN reconcile_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN reconcile_cursor TEXT;
-- When the sync's records were last compared with the CRM as a whole (a full run, or an incremental run's reconcile).
ALTER TABLE syncs ADD COLUMN reconciled_at TEXT;
