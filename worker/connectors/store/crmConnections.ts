import type { CrmConnection, CrmKind } from '../../../shared/schema/crm.ts';
import type { AesGcm } from '../../crypto/aesGcm.ts';

/**
 * D1 access to crm_connections, for every CRM: one row shape, one upsert, one "needs a new login" update. Every
 * statement is scoped by workspace_id; tokens go in sealed and come out sealed, opened only by `unseal` when a call
 * needs them (see storedTokens.ts).
 */

/** How a connection signs in: a person's delegated consent (with a refresh token), or an app registration's own credentials. */
export type AuthFlow = 'authorization_code' | 'client_credentials';

type Row = {
  id: string;
  kind: CrmKind;
  login_url: string;
  instance_url: string;
  org_id: string;
  org_name: string | null;
  user_id: string;
  user_name: string | null;
  status: 'connected' | 'needs_reauth';
  access_token_sealed: string;
  refresh_token_sealed: string | null;
  access_token_expires_at: string | null;
  auth_flow: AuthFlow;
  last_import_at: string | null;
  created_at: string;
  disabled_at: string | null;
  access_removed_at: string | null;
};

/** A connection as the Worker uses it: tokens still sealed. Never serialized to a response (toPublic is). */
export type StoredConnection = CrmConnection & {
  workspaceId: string;
  /** Where tokens are obtained: a Salesforce login host, or Microsoft's authority with the tenant. */
  loginUrl: string;
  orgId: string;
  userId: string;
  authFlow: AuthFlow;
  accessTokenExpiresAt: string | null;
  accessTokenSealed: string;
  refreshTokenSealed: string | null;
};

/** Who a sign-in acts as, in which org: what makes two sign-ins "the same account". */
export type AccountIdentity = { orgId: string; orgName: string | null; userId: string; userName: string | null };

/** Tokens from a sign-in or a renewal, in the clear until the store seals them. */
export type TokenSet = { accessToken: string; refreshToken: string | null; expiresAt: string | null };

/** A successful sign-in: where it happened, the tokens, and whom they belong to. */
export type SignedIn = TokenSet & AccountIdentity & { loginUrl: string; instanceUrl: string; authFlow: AuthFlow };

const COLUMNS =
  'id, kind, login_url, instance_url, org_id, org_name, user_id, user_name, status, access_token_sealed, refresh_token_sealed, access_token_expires_at, auth_flow, last_import_at, created_at, disabled_at, access_removed_at';

export function toPublic(c: StoredConnection): CrmConnection {
  return {
    id: c.id,
    kind: c.kind,
    orgName: c.orgName,
    instanceUrl: c.instanceUrl,
    userName: c.userName,
    status: c.status,
    lastImportAt: c.lastImportAt,
    createdAt: c.createdAt,
    disabledAt: c.disabledAt,
    accessRemovedAt: c.accessRemovedAt,
  };
}

export class CrmConnections {
  constructor(
    private readonly db: D1Database,
    readonly workspaceId: string,
    private readonly sealer: AesGcm,
  ) {}

  private fromRow(r: Row): StoredConnection {
    return {
      id: r.id,
      kind: r.kind,
      orgName: r.org_name,
      instanceUrl: r.instance_url,
      userName: r.user_name,
      status: r.status,
      lastImportAt: r.last_import_at,
      createdAt: r.created_at,
      disabledAt: r.disabled_at,
      accessRemovedAt: r.access_removed_at,
      workspaceId: this.workspaceId,
      loginUrl: r.login_url,
      orgId: r.org_id,
      userId: r.user_id,
      authFlow: r.auth_flow,
      accessTokenExpiresAt: r.access_token_expires_at,
      accessTokenSealed: r.access_token_sealed,
      refreshTokenSealed: r.refresh_token_sealed,
    };
  }

  async list(): Promise<CrmConnection[]> {
    const { results } = await this.db
      .prepare(`SELECT ${COLUMNS} FROM crm_connections WHERE workspace_id = ? ORDER BY created_at, id`)
      .bind(this.workspaceId)
      .all<Row>();
    return results.map((r) => toPublic(this.fromRow(r)));
  }

  async get(id: string): Promise<StoredConnection | null> {
    const r = await this.db.prepare(`SELECT ${COLUMNS} FROM crm_connections WHERE workspace_id = ? AND id = ?`).bind(this.workspaceId, id).first<Row>();
    return r ? this.fromRow(r) : null;
  }

  /** Opens a sealed token; called only where a request is about to carry it. */
  unseal(sealed: string): string {
    return this.sealer.open(sealed);
  }

  async findByIdentity(kind: CrmKind, orgId: string, userId: string): Promise<string | null> {
    const r = await this.db
      .prepare('SELECT id FROM crm_connections WHERE workspace_id = ? AND kind = ? AND org_id = ? AND user_id = ?')
      .bind(this.workspaceId, kind, orgId, userId)
      .first<{ id: string }>();
    return r?.id ?? null;
  }

  /**
   * Stores a sign-in: new tokens for the connection this org and user already have (connecting the same account
   * again refreshes it instead of adding a twin), or a new connection. A sign-in without a refresh token keeps the
   * stored one only when the flow still uses one. A sign-in gives back access that was removed, and enables the
   * integration again only when the removal is what disabled it: one disabled by choice stays disabled.
   */
  async save(kind: CrmKind, s: SignedIn): Promise<string> {
    const now = new Date().toISOString();
    const access = this.sealer.seal(s.accessToken);
    const refresh = s.refreshToken === null ? null : this.sealer.seal(s.refreshToken);
    const row = await this.db
      .prepare(
        `INSERT INTO crm_connections (id, workspace_id, kind, login_url, instance_url, org_id, org_name, user_id, user_name, status,
           access_token_sealed, refresh_token_sealed, access_token_expires_at, auth_flow, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'connected', ?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id, kind, org_id, user_id) DO UPDATE SET
           login_url = excluded.login_url, instance_url = excluded.instance_url, org_name = excluded.org_name,
           user_name = excluded.user_name, status = 'connected', access_token_sealed = excluded.access_token_sealed,
           refresh_token_sealed = CASE WHEN excluded.auth_flow = 'client_credentials' THEN NULL
                                       ELSE COALESCE(excluded.refresh_token_sealed, crm_connections.refresh_token_sealed) END,
           access_token_expires_at = excluded.access_token_expires_at, auth_flow = excluded.auth_flow, updated_at = excluded.updated_at,
           disabled_at = CASE WHEN crm_connections.access_removed_at IS NOT NULL THEN NULL ELSE crm_connections.disabled_at END,
           access_removed_at = NULL
         RETURNING id`,
      )
      .bind(
        crypto.randomUUID(),
        this.workspaceId,
        kind,
        s.loginUrl,
        s.instanceUrl,
        s.orgId,
        s.orgName,
        s.userId,
        s.userName,
        access,
        refresh,
        s.expiresAt,
        s.authFlow,
        now,
        now,
      )
      .first<{ id: string }>();
    if (!row) throw new Error('saving the connection returned no row');
    return row.id;
  }

  /** After a renewal: the new access token (and a rotated refresh token, a moved instance) sealed back. */
  async updateTokens(id: string, tokens: TokenSet & { instanceUrl?: string }): Promise<{ accessTokenSealed: string; refreshTokenSealed: string | null }> {
    const accessTokenSealed = this.sealer.seal(tokens.accessToken);
    const refresh = tokens.refreshToken === null ? null : this.sealer.seal(tokens.refreshToken);
    const row = await this.db
      .prepare(
        `UPDATE crm_connections SET access_token_sealed = ?, refresh_token_sealed = COALESCE(?, refresh_token_sealed),
           access_token_expires_at = ?, instance_url = COALESCE(?, instance_url), updated_at = ?
         WHERE workspace_id = ? AND id = ? RETURNING refresh_token_sealed`,
      )
      .bind(accessTokenSealed, refresh, tokens.expiresAt, tokens.instanceUrl ?? null, new Date().toISOString(), this.workspaceId, id)
      .first<{ refresh_token_sealed: string | null }>();
    return { accessTokenSealed, refreshTokenSealed: row?.refresh_token_sealed ?? null };
  }

  async markNeedsReauth(id: string): Promise<void> {
    await this.db
      .prepare("UPDATE crm_connections SET status = 'needs_reauth', updated_at = ? WHERE workspace_id = ? AND id = ?")
      .bind(new Date().toISOString(), this.workspaceId, id)
      .run();
  }

  async markImported(id: string): Promise<void> {
    const now = new Date().toISOString();
    await this.db.prepare('UPDATE crm_connections SET last_import_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?').bind(now, now, this.workspaceId, id).run();
  }

  /** Disables or enables the integration (the statement, for the change's batch with its history entry). */
  setDisabled(id: string, disabled: boolean, at: string): D1PreparedStatement {
    return this.db
      .prepare('UPDATE crm_connections SET disabled_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
      .bind(disabled ? at : null, at, this.workspaceId, id);
  }

  /**
   * Forgets the stored tokens (after the CRM was asked to revoke them) and leaves the integration disabled; its
   * configs, syncs and history stay. The access token column is NOT NULL: an empty string means "none stored", and
   * openConnector refuses a disabled connection before anything would unseal it.
   */
  removeAccess(id: string, at: string): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE crm_connections SET access_token_sealed = '', refresh_token_sealed = NULL, access_token_expires_at = NULL,
           disabled_at = COALESCE(disabled_at, ?), access_removed_at = ?, updated_at = ?
         WHERE workspace_id = ? AND id = ?`,
      )
      .bind(at, at, at, this.workspaceId, id);
  }
}

/**
 * Why nothing may be pulled through this connection now, in words for the sync card and the API's answer; null when
 * it is enabled (or does not exist: callers answer that themselves).
 */
export async function disabledReason(db: D1Database, workspaceId: string, connectionId: string): Promise<string | null> {
  const r = await db
    .prepare('SELECT disabled_at, access_removed_at FROM crm_connections WHERE workspace_id = ? AND id = ?')
    .bind(workspaceId, connectionId)
    .first<{ disabled_at: string | null; access_removed_at: string | null }>();
  if (!r?.disabled_at) return null;
  return r.access_removed_at
    ? 'This integration’s access was removed: nothing is pulled from it and its syncs do not run until an admin reconnects it.'
    : 'This integration is disabled: nothing is pulled from it and its syncs do not run until an admin enables it.';
}
