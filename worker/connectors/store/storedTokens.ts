import { CrmError } from '../connector.ts';
import type { AccessTokenSource } from '../tokenSource.ts';
import type { CrmConnections, StoredConnection, TokenSet } from './crmConnections.ts';

/** How a CRM renews a connection's access token: the refresh token (opened for this call only) or the app's own credentials. */
export type Renew = (connection: StoredConnection, refreshToken: string | null) => Promise<TokenSet & { instanceUrl?: string }>;

// Renew a little before a known expiry so a long page request does not start with a dying token.
const EXPIRY_MARGIN_MS = 2 * 60_000;

/**
 * Bearer tokens of one stored connection, for any CRM: unsealed only when a call needs one, renewed once after a
 * 401 (concurrent calls share the renewal) and sealed back. A renewal the CRM refuses marks the connection
 * needs_reauth, so the user is told to reconnect instead of seeing the same failure on every pull.
 */
export class StoredTokens implements AccessTokenSource {
  private access: string | null = null;
  private renewing: Promise<string> | null = null;

  constructor(
    private connection: StoredConnection,
    private readonly store: CrmConnections,
    private readonly renewWith: Renew,
    private readonly crmName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<string> {
    if (this.connection.status === 'needs_reauth') throw this.reauthError(null);
    const expiresAt = this.connection.accessTokenExpiresAt ? Date.parse(this.connection.accessTokenExpiresAt) : Number.POSITIVE_INFINITY;
    if (expiresAt - this.now() < EXPIRY_MARGIN_MS) return this.renew();
    this.access ??= this.store.unseal(this.connection.accessTokenSealed);
    return this.access;
  }

  renew(rejected?: string): Promise<string> {
    // A call that sent the token an earlier renewal already replaced uses the new one: one renewal per expiry.
    if (!this.renewing && rejected !== undefined && this.access !== null && this.access !== rejected) return Promise.resolve(this.access);
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<string> {
    const c = this.connection;
    let tokens: TokenSet & { instanceUrl?: string };
    try {
      if (c.authFlow === 'authorization_code' && !c.refreshTokenSealed) throw this.reauthError(null);
      tokens = await this.renewWith(c, c.refreshTokenSealed === null ? null : this.store.unseal(c.refreshTokenSealed));
    } catch (error) {
      if (error instanceof CrmError && error.code === 'crm_auth_failed') {
        await this.store.markNeedsReauth(c.id);
        this.connection = { ...c, status: 'needs_reauth' };
        throw this.reauthError(error);
      }
      throw error;
    }
    const sealed = await this.store.updateTokens(c.id, tokens);
    this.connection = { ...c, ...sealed, accessTokenExpiresAt: tokens.expiresAt, instanceUrl: tokens.instanceUrl ?? c.instanceUrl };
    this.access = tokens.accessToken;
    return tokens.accessToken;
  }

  private reauthError(cause: CrmError | null): CrmError {
    return new CrmError(
      'crm_auth_failed',
      `${this.crmName} no longer accepts this connection (its access was revoked or has expired). Reconnect ${this.crmName} to continue.`,
      cause?.vendorCode ?? null,
      cause?.vendorMessage ?? null,
      401,
    );
  }
}
