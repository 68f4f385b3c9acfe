-- Dynamics 365 connections need what Salesforce ones do not: how the connection signs in (a signed-in admin's
-- delegated consent with a refresh token, or the app registration's client credentials, which has none), when
-- the access token expires (Microsoft says so; renewing ahead of expiry saves a failed call), and, while an
-- OAuth round trip is pending, which environment it is for.
ALTER TABLE crm_connections ADD COLUMN auth_flow TEXT NOT NULL DEFAULT 'authorization_code'
  CHECK (auth_flow IN ('authorization_code', 'client_credentials'));
ALTER TABLE crm_connections ADD COLUMN access_token_expires_at TEXT;
ALTER TABLE crm_oauth_states ADD COLUMN instance_url TEXT;
