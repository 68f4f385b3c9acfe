-- A workspace's link to one CRM org as one CRM user. Tokens are stored only AES-256-GCM sealed under
-- TOKEN_ENCRYPTION_KEY (a Worker secret, separate from the member data key) and never leave the Worker.
CREATE TABLE crm_connections (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL CHECK (kind IN ('salesforce', 'dynamics')),
  -- Where tokens are refreshed (login.salesforce.com, test.salesforce.com or a My Domain) and where the API is.
  login_url TEXT NOT NULL,
  instance_url TEXT NOT NULL,
  org_id TEXT NOT NULL,
  org_name TEXT,
  user_id TEXT NOT NULL,
  user_name TEXT,
  status TEXT NOT NULL CHECK (status IN ('connected', 'needs_reauth')),
  access_token_sealed TEXT NOT NULL,
  refresh_token_sealed TEXT,
  last_import_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- Connecting the same org as the same user again refreshes that connection instead of adding a twin.
CREATE UNIQUE INDEX crm_connections_identity ON crm_connections (workspace_id, kind, org_id, user_id);

-- One pending OAuth authorization: `state` ties the callback to the workspace that started it, the PKCE
-- code_verifier (sealed) proves the token request comes from us. Rows expire after a few minutes.
CREATE TABLE crm_oauth_states (
  state TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  kind TEXT NOT NULL CHECK (kind IN ('salesforce', 'dynamics')),
  login_url TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  code_verifier_sealed TEXT NOT NULL,
  -- Set when the flow re-authorizes an existing connection.
  connection_id TEXT,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX crm_oauth_states_expiry ON crm_oauth_states (expires_at);

-- What a CRM import pulls, remembered per connection and object so it can be re-run or edited.
CREATE TABLE crm_import_configs (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  connection_id TEXT NOT NULL REFERENCES crm_connections(id) ON DELETE CASCADE,
  object TEXT NOT NULL,
  attributes TEXT NOT NULL,
  filters TEXT NOT NULL,
  template_id TEXT,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX crm_import_configs_by_object ON crm_import_configs (workspace_id, connection_id, object);
