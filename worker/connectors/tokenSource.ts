import { CrmError } from './connector.ts';

/**
 * Where a connector gets its bearer token. The stored implementation (store/storedTokens.ts) unseals the token
 * only when a call needs it and renews it once after a 401; a connector never reads the connection store itself.
 */
export interface AccessTokenSource {
  /** A token believed valid (renewed ahead of a known expiry). */
  current(): Promise<string>;
  /**
   * After a 401 answered to `rejected`: a new token (refresh token or client credentials), or
   * CrmError('crm_auth_failed'). When another call already renewed past `rejected`, its token, without a second renewal.
   */
  renew(rejected?: string): Promise<string>;
}

/** The tokens of a sign-in that is not stored yet (identifying its account): nothing to renew them with. */
export function signInTokens(accessToken: string, crmName: string): AccessTokenSource {
  return {
    current: async () => accessToken,
    renew: async () => {
      throw new CrmError('crm_auth_failed', `${crmName} refused the new sign-in`, null, null, 401);
    },
  };
}
