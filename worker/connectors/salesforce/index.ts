import { AuthorizeSalesforceBody } from '../../../shared/schema/connections.ts';
import { optionalSetting, type CrmProvider, type SignInTarget } from '../provider.ts';
import { PullMetadata } from '../pullMetadata.ts';
import type { CrmConnections, StoredConnection } from '../store/crmConnections.ts';
import type { DescribedObject } from './describeFields.ts';
import { SalesforceConnector, type SalesforceConnectorOptions } from './salesforceConnector.ts';
import { authorizeUrl, exchangeCode, resolveLoginUrl, type SalesforceApp, type SalesforceLoginUrls } from './salesforceOAuth.ts';

export { SalesforceConnector } from './salesforceConnector.ts';

export type SalesforceSettings = { app: SalesforceApp; loginUrls: SalesforceLoginUrls };

/** The connected app's key and secret (secrets); login hosts for "production" and "sandbox" are configuration. */
export function salesforceSettings(env: Env): SalesforceSettings | null {
  if (!env.SALESFORCE_CLIENT_ID || !env.SALESFORCE_CLIENT_SECRET) return null;
  const app = { clientId: env.SALESFORCE_CLIENT_ID, clientSecret: env.SALESFORCE_CLIENT_SECRET };
  const production = optionalSetting(env, 'SALESFORCE_LOGIN_URL') ?? 'https://login.salesforce.com';
  const sandbox = optionalSetting(env, 'SALESFORCE_SANDBOX_LOGIN_URL') ?? 'https://test.salesforce.com';
  return { app, loginUrls: { production, sandbox } };
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
  options: Pick<SalesforceConnectorOptions, 'retry' | 'timeoutMs' | 'sleep'> = {},
): SalesforceConnector {
  // jsforce holds the session it sends; the tokens are opened here, for the request that opened the connector.
  const refreshTokenSealed = connection.refreshTokenSealed;
  return new SalesforceConnector(
    {
      loginUrl: connection.loginUrl,
      instanceUrl: connection.instanceUrl,
      accessToken: store.unseal(connection.accessTokenSealed),
      refreshToken: refreshTokenSealed === null ? null : store.unseal(refreshTokenSealed),
    },
    {
      ...settings.app,
      ...options,
      onSessionRefreshed: async (s) => void (await store.updateTokens(connection.id, { accessToken: s.accessToken, refreshToken: null, expiresAt: null, instanceUrl: s.instanceUrl })),
      onAuthRevoked: () => store.markNeedsReauth(connection.id),
      describes: describes.forConnection(store.workspaceId, connection.id),
    },
  );
}

const SignInBody = AuthorizeSalesforceBody.pick({ loginHost: true });

/** Salesforce: OAuth 2.0 web server flow with PKCE at the chosen login host; no app-only sign-in. */
export const salesforceProvider: CrmProvider<SalesforceSettings> = {
  kind: 'salesforce',
  name: 'Salesforce',
  requiredSettings: ['SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET'],
  settings: salesforceSettings,
  signIn: {
    body: SignInBody,
    target(settings, body, reconnecting): SignInTarget {
      const parsed = body ? SignInBody.parse(body) : null;
      // A reconnect without a chosen host logs in where the connection did (its My Domain or sandbox host).
      const loginUrl = parsed ? resolveLoginUrl(parsed.loginHost, settings.loginUrls) : (reconnecting?.loginUrl ?? settings.loginUrls.production);
      return { loginUrl, instanceUrl: null };
    },
    authorizeUrl: (settings, target, p) => authorizeUrl({ app: settings.app, loginUrl: target.loginUrl, ...p }),
    async exchangeCode(settings, target, p) {
      const session = await exchangeCode({ app: settings.app, loginUrl: target.loginUrl, ...p });
      return { ...session, expiresAt: null, authFlow: 'authorization_code' };
    },
  },
  identify: (settings, tokens) => new SalesforceConnector({ ...tokens }, settings.app).identity(),
  connector: (settings, connection, store) => salesforceConnectorFor(connection, store, settings),
};
