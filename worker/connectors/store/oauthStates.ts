import type { CrmKind } from '../../../shared/schema/crm.ts';
import type { AesGcm } from '../../crypto/aesGcm.ts';

/** Pending OAuth logins (crm_oauth_states): created by authorize, consumed once by the callback. */

/** Long enough to log in (and pass MFA), short enough that a leaked state is soon worthless. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export type PendingLogin = {
  kind: CrmKind;
  loginUrl: string;
  redirectUri: string;
  codeVerifier: string;
  connectionId: string | null;
};

type Row = { kind: CrmKind; login_url: string; redirect_uri: string; code_verifier_sealed: string; connection_id: string | null; expires_at: string };

export class OAuthStates {
  constructor(
    private readonly db: D1Database,
    private readonly workspaceId: string,
    private readonly sealer: AesGcm,
  ) {}

  async create(state: string, login: PendingLogin, now = Date.now()): Promise<void> {
    await this.db.batch([
      // Expired logins are swept here, so the table never grows past the logins of the last few minutes.
      this.db.prepare('DELETE FROM crm_oauth_states WHERE expires_at < ?').bind(new Date(now).toISOString()),
      this.db
        .prepare(
          `INSERT INTO crm_oauth_states (state, workspace_id, kind, login_url, redirect_uri, code_verifier_sealed, connection_id, expires_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          state,
          this.workspaceId,
          login.kind,
          login.loginUrl,
          login.redirectUri,
          this.sealer.seal(login.codeVerifier),
          login.connectionId,
          new Date(now + OAUTH_STATE_TTL_MS).toISOString(),
          new Date(now).toISOString(),
        ),
    ]);
  }

  /** The pending login for `state`, deleted in the same step so a replayed callback finds nothing. */
  async consume(state: string, kind: CrmKind, now = Date.now()): Promise<PendingLogin | null> {
    const row = await this.db
      .prepare(
        `DELETE FROM crm_oauth_states WHERE state = ? AND workspace_id = ? AND kind = ?
         RETURNING kind, login_url, redirect_uri, code_verifier_sealed, connection_id, expires_at`,
      )
      .bind(state, this.workspaceId, kind)
      .first<Row>();
    if (!row || Date.parse(row.expires_at) < now) return null;
    return {
      kind: row.kind,
      loginUrl: row.login_url,
      redirectUri: row.redirect_uri,
      codeVerifier: this.sealer.open(row.code_verifier_sealed),
      connectionId: row.connection_id,
    };
  }
}
