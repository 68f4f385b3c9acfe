/**
 * Where a connector gets its bearer token. The stored implementation (store/storedTokens.ts) unseals the token
 * only when a call needs it and renews it once after a 401; a connector never reads the connection store itself.
 */
export interface AccessTokenSource {
  /** A token believed valid (renewed ahead of a known expiry). */
  current(): Promise<string>;
  /** After a 401: a new token (refresh token or client credentials), or CrmError('crm_auth_failed'). */
  renew(): Promise<string>;
}
