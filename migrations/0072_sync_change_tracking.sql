-- Where a sync pulling a Dataverse table with change tracking asks for the next changes: the @odata.deltaLink of
-- its last successful run (NULL: the table is read by modification stamp, or no run has finished yet).
ALTER TABLE syncs ADD COLUMN delta_link TEXT;
-- How a run reads the CRM, decided at its first page and kept for the others: 'query' (filters and the modification
-- stamp) or 'track_changes' (the CRM's change feed, deletions included).
ALTER TABLE sync_runs ADD COLUMN pull_mode TEXT;
-- The delta link the last page of a change-tracking run gave; the sync keeps it when the run succeeds.
ALTER TABLE sync_runs ADD COLUMN delta_link TEXT;
-- What a run did differently from what was asked, in the marketer's words (e.g. an expired change token: full pull).
ALTER TABLE sync_runs ADD COLUMN notice TEXT;
