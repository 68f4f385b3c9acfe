-- An integration is never deleted (its configs, syncs and history stay): it is disabled, and "Remove access" also
-- revokes its token at the CRM and forgets the stored tokens. disabled_at: no pulls, no sync runs until enabled.
-- access_removed_at: the tokens are gone; a new sign-in of the same account gives access back.
ALTER TABLE crm_connections ADD COLUMN disabled_at TEXT;
ALTER TABLE crm_connections ADD COLUMN access_removed_at TEXT;
