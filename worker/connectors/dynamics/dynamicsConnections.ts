import type { CrmConnection } from '../../../shared/schema/crm.ts';
import type { AesGcm } from '../../crypto/aesGcm.ts';
import { CrmError } from '../connector.ts';
import type { CrmConnectionRow } from '../store/crmConnections.ts';
import type { AccessTokenSource } from '../tokenSource.ts';
import { DataverseApi, type DataverseApiOptions } from './dataverseApi.ts';
import { appScope, requestToken, type IdentityConfig, type TokenSet } from './microsoftIdentity.ts';

export type AuthFlow = 'authorization_code' | 'client_credentials';

/** A crm_connections row of kind 'dynamics' (login_url = authority with tenant, instance_url = environment). */
export type DynamicsConnectionRow = CrmConnectionRow & {
  workspace_id: string;
  kind: 'dynamics';
  access_token_expires_at: string | null;
  auth_flow: AuthFlow;
};

export type ConnectedIdentity = { orgId: string; orgName: string | null; userId: string; userName: string | null };

// Renew a little before Microsoft's expiry so a long page request does not start with a dying token.
const EXPIRY_MARGIN_MS = 2 * 60_000;

export function toCrmConnection(row: DynamicsConnectionRow): CrmConnection {
  return {
    id: row.id,
    kind: 'dynamics',
    orgName: row.org_name,
    instanceUrl: row.instance_url,
    userName: row.user_name,
    status: row.status,
    lastImportAt: row.last_import_at,
    createdAt: row.created_at,
  };
}

export async function getDynamicsConnection(db: D1Database, workspaceId: string, id: string): Promise<DynamicsConnectionRow | null> {
  return db
    .prepare("SELECT * FROM crm_connections WHERE workspace_id = ? AND id = ? AND kind = 'dynamics'")
    .bind(workspaceId, id)
    .first<DynamicsConnectionRow>();
}

/**
 * Stores a connection after a successful sign-in. Connecting the same environment organization as the same user
 * (or the same app user) again refreshes that row instead of adding a twin. Tokens are sealed before they reach D1.
 */
export async function saveDynamicsConnection(
  db: D1Database,
  tokenCipher: AesGcm,
  input: { workspaceId: string; authority: string; environmentUrl: string; authFlow: AuthFlow; identity: ConnectedIdentity; tokens: TokenSet },
): Promise<DynamicsConnectionRow> {
  const now = new Date().toISOString();
  const row = await db
    .prepare(
      `INSERT INTO crm_connections (id, workspace_id, kind, login_url, instance_url, org_id, org_name, user_id, user_name, status,
         access_token_sealed, refresh_token_sealed, access_token_expires_at, auth_flow, created_at, updated_at)
       VALUES (?, ?, 'dynamics', ?, ?, ?, ?, ?, ?, 'connected', ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, kind, org_id, user_id) DO UPDATE SET
         login_url = excluded.login_url, instance_url = excluded.instance_url, org_name = excluded.org_name,
         user_name = excluded.user_name, status = 'connected', access_token_sealed = excluded.access_token_sealed,
         refresh_token_sealed = excluded.refresh_token_sealed, access_token_expires_at = excluded.access_token_expires_at,
         auth_flow = excluded.auth_flow, updated_at = excluded.updated_at
       RETURNING *`,
    )
    .bind(
      crypto.randomUUID(),
      input.workspaceId,
      input.authority,
      input.environmentUrl,
      input.identity.orgId,
      input.identity.orgName,
      input.identity.userId,
      input.identity.userName,
      tokenCipher.seal(input.tokens.accessToken),
      input.tokens.refreshToken === null ? null : tokenCipher.seal(input.tokens.refreshToken),
      input.tokens.expiresAt,
      input.authFlow,
      now,
      now,
    )
    .first<DynamicsConnectionRow>();
  if (!row) throw new Error('saving the Dynamics 365 connection returned no row');
  return row;
}

/**
 * Bearer tokens of one stored connection: unsealed on demand, renewed through the refresh token (delegated) or the
 * client credentials (app), with the new tokens sealed back. A renewal Microsoft refuses marks the connection
 * needs_reauth, so the user is told to reconnect instead of seeing the same failure on every pull.
 */
export class StoredDynamicsTokens implements AccessTokenSource {
  private access: string | null = null;
  private renewing: Promise<string> | null = null;

  constructor(
    private row: DynamicsConnectionRow,
    private readonly db: D1Database,
    private readonly tokenCipher: AesGcm,
    private readonly identity: IdentityConfig,
  ) {}

  async current(): Promise<string> {
    if (this.row.status === 'needs_reauth') throw this.reauthError(null);
    const expiresAt = this.row.access_token_expires_at ? Date.parse(this.row.access_token_expires_at) : Number.POSITIVE_INFINITY;
    if (expiresAt - Date.now() < EXPIRY_MARGIN_MS) return this.renew();
    this.access ??= this.tokenCipher.open(this.row.access_token_sealed);
    return this.access;
  }

  renew(): Promise<string> {
    // Concurrent calls (describe fetches metadata in parallel) share one token request.
    this.renewing ??= this.requestNewTokens().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async requestNewTokens(): Promise<string> {
    const { row } = this;
    let tokens: TokenSet;
    try {
      if (row.auth_flow === 'client_credentials') {
        tokens = await requestToken(row.login_url, this.identity, { grant_type: 'client_credentials', scope: appScope(row.instance_url) });
      } else {
        if (!row.refresh_token_sealed) throw this.reauthError(null);
        tokens = await requestToken(row.login_url, this.identity, {
          grant_type: 'refresh_token',
          refresh_token: this.tokenCipher.open(row.refresh_token_sealed),
          scope: `${row.instance_url}/user_impersonation offline_access`,
        });
      }
    } catch (error) {
      if (error instanceof CrmError && error.code === 'crm_auth_failed') {
        await this.db
          .prepare("UPDATE crm_connections SET status = 'needs_reauth', updated_at = ? WHERE workspace_id = ? AND id = ?")
          .bind(new Date().toISOString(), row.workspace_id, row.id)
          .run();
        this.row = { ...row, status: 'needs_reauth' };
        throw this.reauthError(error);
      }
      throw error;
    }
    const accessSealed = this.tokenCipher.seal(tokens.accessToken);
    // Microsoft rotates refresh tokens: keep the newest, or the old one when none came back.
    const refreshSealed = tokens.refreshToken === null ? row.refresh_token_sealed : this.tokenCipher.seal(tokens.refreshToken);
    await this.db
      .prepare(
        `UPDATE crm_connections SET access_token_sealed = ?, refresh_token_sealed = ?, access_token_expires_at = ?, updated_at = ?
         WHERE workspace_id = ? AND id = ?`,
      )
      .bind(accessSealed, refreshSealed, tokens.expiresAt, new Date().toISOString(), row.workspace_id, row.id)
      .run();
    this.row = { ...row, access_token_sealed: accessSealed, refresh_token_sealed: refreshSealed, access_token_expires_at: tokens.expiresAt };
    this.access = tokens.accessToken;
    return tokens.accessToken;
  }

  private reauthError(cause: CrmError | null): CrmError {
    return new CrmError(
      'crm_auth_failed',
      'This Dynamics 365 connection needs to be reconnected: Microsoft no longer accepts its sign-in',
      cause?.vendorCode ?? null,
      cause?.vendorMessage ?? null,
      401,
    );
  }
}

/** A Web API client bound to a stored connection's environment and tokens. */
export function dataverseApiFor(
  row: DynamicsConnectionRow,
  db: D1Database,
  tokenCipher: AesGcm,
  identity: IdentityConfig,
  options: Pick<DataverseApiOptions, 'retry' | 'sleep' | 'random'> = {},
): DataverseApi {
  return new DataverseApi({ environmentUrl: row.instance_url, tokens: new StoredDynamicsTokens(row, db, tokenCipher, identity), ...options });
}
