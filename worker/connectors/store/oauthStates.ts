import type { CrmKind } from '../../../shared/schema/crm.ts';
import type { AesGcm } from '../../crypto/aesGcm.ts';
import { DomainError } from '../../domainError.ts';

/**
 * Pending OAuth sign-ins (crm_oauth_states), for every CRM: created by authorize, consumed once by the callback,
 * expiring after OAUTH_STATE_TTL_MS, and bound to the browser that started them (the hash of a cookie nonce).
 */

/**
 * Pending CRM sign-ins one workspace may have at once: a person needs one or two; a script or a stuck button
 * starting hundreds would fill the table with sealed verifiers.
 */
export const MAX_PENDING_PER_WORKSPACE = 20;

/** Long enough to log in (and pass MFA), short enough that a leaked state is soon worthless. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export type PendingLogin = {
  kind: CrmKind;
  /** Token endpoint host or authority the sign-in started at. */
  loginUrl: string;
  /** The CRM's API origin when the sign-in names it up front (a Dynamics environment). */
  instanceUrl: string | null;
  redirectUri: string;
  codeVerifier: string;
  /** Set when the sign-in renews an existing connection: the callback then insists on the same account. */
  connectionId: string | null;
};

type Row = {
  kind: CrmKind;
  login_url: string;
  instance_url: string | null;
  redirect_uri: string;
  code_verifier_sealed: string;
  connection_id: string | null;
  browser_nonce_hash: string | null;
  expires_at: string;
};

export class OAuthStates {
  constructor(
    private readonly db: D1Database,
    private readonly workspaceId: string,
    private readonly sealer: AesGcm,
  ) {}

  async create(state: string, login: PendingLogin, browserNonceHash: string, now = Date.now()): Promise<void> {
    const [, inserted] = await this.db.batch([
      // Expired logins are swept here, so the table never grows past the logins of the last few minutes.
      this.db.prepare('DELETE FROM crm_oauth_states WHERE expires_at < ?').bind(new Date(now).toISOString()),
      // At most MAX_PENDING_PER_WORKSPACE at once, checked in the insert itself so two starts cannot both slip in.
      this.db
        .prepare(
          `INSERT INTO crm_oauth_states (state, workspace_id, kind, login_url, instance_url, redirect_uri, code_verifier_sealed, connection_id,
             browser_nonce_hash, expires_at, created_at)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
           WHERE (SELECT count(*) FROM crm_oauth_states WHERE workspace_id = ?) < ?`,
        )
        .bind(
          state,
          this.workspaceId,
          login.kind,
          login.loginUrl,
          login.instanceUrl,
          login.redirectUri,
          this.sealer.seal(login.codeVerifier),
          login.connectionId,
          browserNonceHash,
          new Date(now + OAUTH_STATE_TTL_MS).toISOString(),
          new Date(now).toISOString(),
          this.workspaceId,
          MAX_PENDING_PER_WORKSPACE,
        ),
    ]);
    if (!inserted?.meta.changes) {
      const oldest = await this.db
        .prepare('SELECT min(expires_at) AS expiresAt FROM crm_oauth_states WHERE workspace_id = ?')
        .bind(this.workspaceId)
        .first<{ expiresAt: string | null }>();
      const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(oldest?.expiresAt ?? '') - now) / 1000) || OAUTH_STATE_TTL_MS / 1000);
      throw new DomainError(
        'rate_limited',
        `${MAX_PENDING_PER_WORKSPACE} CRM sign-ins of this workspace are already waiting to be finished: finish one, or try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
        { retryAfterSeconds },
      );
    }
  }

  /**
   * The pending login for `state`, deleted in the same step so a replayed callback finds nothing. Null when it is
   * unknown, expired, of another workspace or CRM, or was started by another browser.
   */
  async consume(state: string, kind: CrmKind, browserNonceHash: string | null, now = Date.now()): Promise<PendingLogin | null> {
    const row = await this.db
      .prepare(
        `DELETE FROM crm_oauth_states WHERE state = ? AND workspace_id = ? AND kind = ?
         RETURNING kind, login_url, instance_url, redirect_uri, code_verifier_sealed, connection_id, browser_nonce_hash, expires_at`,
      )
      .bind(state, this.workspaceId, kind)
      .first<Row>();
    if (!row || Date.parse(row.expires_at) < now) return null;
    if (row.browser_nonce_hash === null || row.browser_nonce_hash !== browserNonceHash) return null;
    return {
      kind: row.kind,
      loginUrl: row.login_url,
      instanceUrl: row.instance_url,
      redirectUri: row.redirect_uri,
      codeVerifier: this.sealer.open(row.code_verifier_sealed),
      connectionId: row.connection_id,
    };
  }
}
