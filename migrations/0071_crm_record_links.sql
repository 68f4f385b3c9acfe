-- Which CRM record each member is. Written by sync pulls (the record's id as the CRM gave it) and by pushes to the
-- CRM (the id of the record a push created or matched), so a record deleted in the CRM (Dataverse answers only its
-- id) finds its member, and the next push updates the same record instead of creating a duplicate.
CREATE TABLE crm_record_links (
  workspace_id TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  -- The CRM table the record lives in (API name: Contact, Lead, Account, contact, lead, account).
  object TEXT NOT NULL,
  record_id TEXT NOT NULL,
  audience_id TEXT NOT NULL,
  -- members.identifier_key of the member in that audience (the key the audience dedupes on).
  member_key TEXT NOT NULL,
  linked_at TEXT NOT NULL,
  -- One record can feed several audiences (two syncs of one table): a link per audience, so a deletion reaches each.
  PRIMARY KEY (workspace_id, connection_id, object, record_id, audience_id)
) WITHOUT ROWID;
-- From a member to its CRM records (push: "which record do I update?").
CREATE INDEX crm_record_links_by_member ON crm_record_links (workspace_id, audience_id, member_key);
