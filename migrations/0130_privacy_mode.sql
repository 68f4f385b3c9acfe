-- Privacy mode (issue 12): sensitive values sealed in the tab to the workspace's public key.

-- The workspace's ECDH P-256 key pair, made by the Worker on first use. The public half in clear (any member may
-- read it: the tab seals to it); the private JWK sealed with AES-256-GCM under ENCRYPTION_KEY, like every sealed
-- value the Worker keeps. retired_at stays NULL until keys are rotated: a retired key still opens old values.
CREATE TABLE workspace_sealing_keys (
  workspace_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_sealed TEXT NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT,
  PRIMARY KEY (workspace_id, key_id)
);
-- One current key per workspace: two first uses at once make one key (the second insert is ignored).
CREATE UNIQUE INDEX workspace_sealing_keys_current ON workspace_sealing_keys (workspace_id) WHERE retired_at IS NULL;

-- One row per privacy-mode batch that wrote sealed values: its ephemeral public key, kept once so a stored value
-- names its batch by a short id (members.sealed holds 'pk1.<id>.<iv ‖ ciphertext ‖ tag>') instead of repeating the
-- 87-character key. Written in the batch's own transaction. Holds no secret: only the workspace's private key,
-- with this ephemeral key, opens the values.
CREATE TABLE sealed_batch_keys (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  ephemeral_key TEXT NOT NULL,
  import_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;

-- 1: the audience's sensitive values arrive sealed from the tab; CRM imports and syncs into it are refused.
ALTER TABLE audiences ADD COLUMN privacy_mode INTEGER NOT NULL DEFAULT 0;
