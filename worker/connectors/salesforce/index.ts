import type { AesGcm } from '../../crypto/aesGcm.ts';
import { CrmError } from '../connector.ts';
import { PullMetadata } from '../pullMetadata.ts';
import type { CrmConnections, StoredConnection } from '../store/crmConnections.ts';
import { tokenCipher } from '../tokenCipher.ts';
import type { DescribedObject } from './describeFields.ts';
import { SalesforceConnector, type SalesforceConnectorOptions } from './salesforceConnector.ts';
import type { SalesforceApp, SalesforceLoginUrls } from './salesforceOAuth.ts';

export { SalesforceConnector } from './salesforceConnector.ts';

/** Worker bindings the Salesforce connector reads: the connected app's key and secret and the token key are secrets. */
export type SalesforceBindings = {
  DB: D1Database;
  TOKEN_ENCRYPTION_KEY?: string;
  SALESFORCE_CLIENT_ID?: string;
  SALESFORCE_CLIENT_SECRET?: string;
  /** Login hosts for "production" and "sandbox"; default login.salesforce.com / test.salesforce.com. */
  SALESFORCE_LOGIN_URL?: string;
  SALESFORCE_SANDBOX_LOGIN_URL?: string;
};

export type SalesforceSettings = { app: SalesforceApp; loginUrls: SalesforceLoginUrls; tokenCipher: AesGcm };

export function salesforceSettings(env: SalesforceBindings): SalesforceSettings {
  if (!env.SALESFORCE_CLIENT_ID || !env.SALESFORCE_CLIENT_SECRET) {
    throw new CrmError('crm_error', 'Salesforce is not set up on this server (SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET)', null, null, 500);
  }
  return {
    app: { clientId: env.SALESFORCE_CLIENT_ID, clientSecret: env.SALESFORCE_CLIENT_SECRET },
    loginUrls: {
      production: env.SALESFORCE_LOGIN_URL || 'https://login.salesforce.com',
      sandbox: env.SALESFORCE_SANDBOX_LOGIN_URL || 'https://test.salesforce.com',
    },
    tokenCipher: tokenCipher(env),
  };
}

// A pull pages through 2,000 records a request; ten minutes covers the gaps of a paused or retried one.
const describes = new PullMetadata<DescribedObject>({ ttlMs: 10 * 60_000, maxEntries: 200 });

/**
 * The connector for a stored Salesforce connection: a refreshed access token is stored sealed, a revoked refresh
 * token marks the connection needs_reauth.
 */
export function salesforceConnectorFor(
  connection: StoredConnection,
  store: CrmConnections,
  settings: SalesforceSettings,
  options: Pick<SalesforceConnectorOptions, 'retry' | 'timeoutMs'> = {},
): SalesforceConnector {
  return new SalesforceConnector(
    { loginUrl: connection.loginUrl, instanceUrl: connection.instanceUrl, accessToken: connection.accessToken, refreshToken: connection.refreshToken },
    {
      ...settings.app,
      ...options,
      onSessionRefreshed: (s) => store.updateSession(connection.id, s.accessToken, s.instanceUrl),
      onAuthRevoked: () => store.markNeedsReauth(connection.id),
      describes: describes.forConnection(store.workspaceId, connection.id),
    },
  );
}
