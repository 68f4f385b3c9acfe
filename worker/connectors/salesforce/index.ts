import { AuthorizeSalesforceBody } from '../../../shared/schema/connections.ts';
import { optionalSetting, type CrmProvider, type SignInTarget } from '../provider.ts';
import { PullMetadata } from '../pullMetadata.ts';
import type { CrmConnections, StoredConnection } from '../store/crmConnections.ts';
import { StoredTokens, type Renew } from '../store/storedTokens.ts';
import { signInTokens } from '../tokenSource.ts';
import type { DescribedObject } from './describeFields.ts';
import { SalesforceConnector, type SalesforceConnectorOptions } from './salesforceConnector.ts';
import { SalesforceWriter, type SalesforceWriterOptions } from './writer.ts';
import { authorizeUrl, exchangeCode, refreshAccessToken, resolveLoginUrl, revokeToken, type RefreshOptions, type SalesforceApp, type SalesforceLoginUrls } from './salesforceOAuth.ts';

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

/** How a Salesforce connection gets a new access token: its refresh token, at the login host it signed in at. */
function renewal(settings: SalesforceSettings, options: RefreshOptions): Renew {
  return (connection, refreshToken) => {
    // StoredTokens sends authorization-code connections without a refresh token to reconnect before asking here.
    if (refreshToken === null) throw new Error('a Salesforce connection always signs in with a refresh token');
    return refreshAccessToken({ app: settings.app, loginUrl: connection.loginUrl, refreshToken }, options);
  };
}

/**
 * The connector for a stored Salesforce connection: its tokens are unsealed when a call needs them, renewed once
 * after a 401 and sealed back; a refresh token Salesforce refuses marks the connection needs_reauth (StoredTokens).
 */
export function salesforceConnectorFor(
  settings: SalesforceSettings,
  connection: StoredConnection,
  store: CrmConnections,
  options: Pick<SalesforceConnectorOptions, 'retry' | 'timeoutMs' | 'sleep'> = {},
): SalesforceConnector {
  const tokens = new StoredTokens(connection, store, renewal(settings, options), 'Salesforce');
  return new SalesforceConnector(connection, tokens, { ...options, describes: describes.forConnection(store.workspaceId, connection.id) });
}

/** The writing side of a stored Salesforce connection, its tokens handled as for the connector. */
export function salesforceWriterFor(
  settings: SalesforceSettings,
  connection: StoredConnection,
  store: CrmConnections,
  options: SalesforceWriterOptions = {},
): SalesforceWriter {
  return new SalesforceWriter(connection, new StoredTokens(connection, store, renewal(settings, options), 'Salesforce'), options);
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
  async revokeAccess(_settings, connection, tokens) {
    // The refresh token carries the grant: revoking it revokes its access tokens too. Without one, the access token.
    const token = tokens.refreshToken ?? tokens.accessToken;
    if (token) await revokeToken({ loginUrl: connection.loginUrl, token });
  },
  identify: (_settings, tokens) => new SalesforceConnector(tokens, signInTokens(tokens.accessToken, 'Salesforce')).identity(),
  connector: (settings, connection, store) => salesforceConnectorFor(settings, connection, store),
  writer: (settings, connection, store) => salesforceWriterFor(settings, connection, store),
};
