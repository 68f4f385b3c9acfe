-- Which CRM Account each company is, per connection (not per audience: two audiences naming one company write to
-- one Account), so the next push updates the same Account instead of looking it up by name again. Kept apart from
-- crm_record_links, whose member_key is a member's and whose links a sync's deletions act on.
CREATE TABLE crm_company_links (
  workspace_id TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  -- The CRM table (Account, account).
  object TEXT NOT NULL,
  -- The CRM property the company is identified by: another identifier is another company key.
  identifier_property TEXT NOT NULL,
  -- HMAC (HASH_KEY) of the identifier value lower-cased, as the CRMs compare it: never the value itself, which may
  -- be a sensitive field an admin allowed to be sent.
  company_key TEXT NOT NULL,
  record_id TEXT NOT NULL,
  linked_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, connection_id, object, identifier_property, company_key)
) WITHOUT ROWID;

-- The run report's Accounts: per batch of a push, what it did to each company's Account and whose members it
-- concerned. A company whose members span batches has a row per batch (batch_after: the batch's cursor start).
CREATE TABLE push_companies (
  workspace_id TEXT NOT NULL,
  push_id TEXT NOT NULL,
  batch_after INTEGER NOT NULL,
  company_key TEXT NOT NULL,
  -- The company as the first member spelled it (masked when sensitive).
  company_label TEXT NOT NULL,
  record_id TEXT,
  action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'skipped', 'conflict', 'failed')),
  -- Plain words; for a refusal the CRM's own message and code.
  message TEXT,
  vendor_code TEXT,
  -- The labels of the batch's members of this company (JSON array).
  members TEXT NOT NULL,
  PRIMARY KEY (push_id, company_key, batch_after)
) WITHOUT ROWID;
