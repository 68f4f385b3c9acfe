-- Accounts, sessions and workspace membership (better-auth, worker/auth/). Column names are better-auth's own
-- (camelCase) so its Kysely adapter needs no field mapping; the organization plugin's "organization" model IS the
-- existing workspaces table, so every workspace_id already in the data keeps pointing at its tenant.
CREATE TABLE "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null);
CREATE TABLE "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique, "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade, "activeOrganizationId" text);
CREATE TABLE "account" ("id" text not null primary key, "accountId" text not null, "providerId" text not null, "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text, "idToken" text, "accessTokenExpiresAt" date, "refreshTokenExpiresAt" date, "scope" text, "password" text, "createdAt" date not null, "updatedAt" date not null);
CREATE TABLE "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null, "expiresAt" date not null, "createdAt" date not null, "updatedAt" date not null);

-- The organization model's extra columns. slug stays NULL for workspaces made outside better-auth (unique
-- indexes treat NULLs as distinct); the seeded workspace gets one so first run can claim it by slug too.
ALTER TABLE workspaces ADD COLUMN slug TEXT;
ALTER TABLE workspaces ADD COLUMN logo TEXT;
ALTER TABLE workspaces ADD COLUMN metadata TEXT;
CREATE UNIQUE INDEX workspaces_slug ON workspaces (slug);
UPDATE workspaces SET slug = id WHERE id = 'default';

-- role: admin | keyContact | marketer | viewer (worker/auth/roles.ts); exactly one keyContact per workspace is
-- kept by the handover route, and the index below makes a second one impossible.
CREATE TABLE workspace_members ("id" text not null primary key, "organizationId" text not null references workspaces ("id") on delete cascade, "userId" text not null references "user" ("id") on delete cascade, "role" text not null, "createdAt" date not null);
CREATE INDEX workspace_members_workspace ON workspace_members ("organizationId");
CREATE UNIQUE INDEX workspace_members_user ON workspace_members ("userId", "organizationId");
CREATE UNIQUE INDEX workspace_members_one_key_contact ON workspace_members ("organizationId") WHERE "role" = 'keyContact';
CREATE TABLE workspace_invitations ("id" text not null primary key, "organizationId" text not null references workspaces ("id") on delete cascade, "email" text not null, "role" text, "status" text not null, "expiresAt" date not null, "createdAt" date not null, "inviterId" text not null references "user" ("id") on delete cascade);
CREATE INDEX workspace_invitations_workspace ON workspace_invitations ("organizationId");
CREATE INDEX workspace_invitations_email ON workspace_invitations ("email");
CREATE INDEX session_user ON "session" ("userId");
CREATE INDEX account_user ON "account" ("userId");
CREATE INDEX verification_identifier ON "verification" ("identifier");

-- API tokens for scripts: only the SHA-256 of the token is kept (it is 32 random bytes, so a plain hash cannot be
-- brute-forced); the token itself is shown once at creation.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_hint TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_tokens_workspace ON api_tokens (workspace_id, created_at);

-- Mails the Worker would send (verification, password reset, invitations), kept for the local outbox page when
-- no mail service is configured.
CREATE TABLE outbox_mails (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  link TEXT,
  created_at TEXT NOT NULL
);
