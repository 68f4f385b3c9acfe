import { dynamicsEnvironmentOrigin } from '../../../shared/crm/dynamicsEnvironment.ts';
import { AuthorizeDynamicsBody, ConnectDynamicsAppBody } from '../../../shared/schema/connections.ts';
import { invalid } from '../../domainError.ts';
import { optionalSetting, type CrmProvider, type SignInTarget } from '../provider.ts';
import { PullMetadata } from '../pullMetadata.ts';
import { CrmConnections, type StoredConnection } from '../store/crmConnections.ts';
import { StoredTokens, type Renew } from '../store/storedTokens.ts';
import { tokenCipher } from '../tokenCipher.ts';
import { signInTokens } from '../tokenSource.ts';
import { DataverseApi, type DataverseApiOptions } from './dataverseApi.ts';
import { DynamicsConnector, type DynamicsConnectorOptions, type DynamicsTable } from './dynamicsConnector.ts';
import { appScope, authorizeUrl, delegatedScope, requestToken, tenantAuthority, type IdentityConfig } from './microsoftIdentity.ts';
import { whoAmI } from './whoAmI.ts';
import { DynamicsWriter } from './writer.ts';

export { DynamicsConnector } from './dynamicsConnector.ts';

export type DynamicsSettings = { identity: IdentityConfig; allowedOrigins: string[] };

const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

/**
 * The app registration's client id and secret (secrets), Microsoft's authority (DYNAMICS_AUTHORITY_URL:
 * login.microsoftonline.us for GCC High) and extra environment origins this deployment trusts beyond
 * *.dynamics.com & co. (DYNAMICS_ALLOWED_ORIGINS, comma-separated: on-premises IFD).
 */
export function dynamicsSettings(env: Env): DynamicsSettings | null {
  const clientId = env.DYNAMICS_CLIENT_ID;
  const clientSecret = env.DYNAMICS_CLIENT_SECRET;
  if (!clientId || !clientSecret) return null;
  const allowedOrigins = (optionalSetting(env, 'DYNAMICS_ALLOWED_ORIGINS') ?? '').split(',').map((o) => o.trim());
  return {
    identity: { authorityUrl: optionalSetting(env, 'DYNAMICS_AUTHORITY_URL') ?? DEFAULT_AUTHORITY, clientId, clientSecret },
    allowedOrigins: allowedOrigins.filter(Boolean),
  };
}

// A pull pages through 5,000 records a request; ten minutes covers the gaps of a paused or retried one.
const tables = new PullMetadata<DynamicsTable>({ ttlMs: 10 * 60_000, maxEntries: 200 });

/** A new access token: client credentials for an app registration, else the (rotating) refresh token. */
function renewal(settings: DynamicsSettings): Renew {
  return (connection, refreshToken) =>
    connection.authFlow === 'client_credentials'
      ? requestToken(connection.loginUrl, settings.identity, { grant_type: 'client_credentials', scope: appScope(connection.instanceUrl) })
      : requestToken(connection.loginUrl, settings.identity, {
          grant_type: 'refresh_token',
          refresh_token: refreshToken ?? '',
          scope: delegatedScope(connection.instanceUrl),
        });
}

type ConnectorOptions = DynamicsConnectorOptions & Pick<DataverseApiOptions, 'retry' | 'sleep' | 'random'>;

function apiFor(settings: DynamicsSettings, connection: StoredConnection, store: CrmConnections, options: ConnectorOptions): DataverseApi {
  return new DataverseApi({
    environmentUrl: connection.instanceUrl,
    tokens: new StoredTokens(connection, store, renewal(settings), 'Dynamics 365'),
    retry: options.retry,
    sleep: options.sleep,
    random: options.random,
  });
}

function connectorFor(settings: DynamicsSettings, connection: StoredConnection, store: CrmConnections, options: ConnectorOptions = {}): DynamicsConnector {
  return new DynamicsConnector(apiFor(settings, connection, store, options), { pageSize: options.pageSize, tableCache: tables.forConnection(store.workspaceId, connection.id) });
}

/** The writing side of a stored connection: one DataverseApi (tokens, retries) for its writes and its metadata reads. */
function writerFor(settings: DynamicsSettings, connection: StoredConnection, store: CrmConnections, options: ConnectorOptions = {}): DynamicsWriter {
  const api = apiFor(settings, connection, store, options);
  return new DynamicsWriter(api, new DynamicsConnector(api, { tableCache: tables.forConnection(store.workspaceId, connection.id) }));
}

/** The writer of a stored Dynamics connection of this workspace, or null when there is none by that id. */
export async function openDynamicsWriter(env: Env, workspaceId: string, connectionId: string, options: ConnectorOptions = {}): Promise<DynamicsWriter | null> {
  const store = new CrmConnections(env.DB, workspaceId, tokenCipher(env));
  const connection = await store.get(connectionId);
  const settings = dynamicsSettings(env);
  if (!connection || connection.kind !== 'dynamics' || !settings) return null;
  return writerFor(settings, connection, store, options);
}

/** The connector for a stored Dynamics connection of this workspace, or null when there is none by that id. */
export async function openDynamicsConnector(
  env: Env,
  workspaceId: string,
  connectionId: string,
  options: ConnectorOptions = {},
): Promise<{ connector: DynamicsConnector; connection: StoredConnection } | null> {
  const store = new CrmConnections(env.DB, workspaceId, tokenCipher(env));
  const connection = await store.get(connectionId);
  const settings = dynamicsSettings(env);
  if (!connection || connection.kind !== 'dynamics' || !settings) return null;
  return { connector: connectorFor(settings, connection, store, options), connection };
}

function environmentOrigin(raw: string, settings: DynamicsSettings): string {
  const origin = dynamicsEnvironmentOrigin(raw, settings.allowedOrigins);
  if (!origin) throw invalid([{ path: ['environmentUrl'], message: 'use your Dynamics 365 environment address, e.g. https://contoso.crm.dynamics.com' }]);
  return origin;
}

/** Where a sign-in goes: the body's environment and tenant, or those of the connection it renews. */
function target(settings: DynamicsSettings, body: { environmentUrl: string; tenant: string } | null, reconnecting: StoredConnection | null): SignInTarget {
  if (body) return { loginUrl: tenantAuthority(settings.identity.authorityUrl, body.tenant), instanceUrl: environmentOrigin(body.environmentUrl, settings) };
  if (!reconnecting) throw invalid([{ path: ['environmentUrl'], message: 'give the environment address and tenant to sign in to' }]);
  return { loginUrl: reconnecting.loginUrl, instanceUrl: reconnecting.instanceUrl };
}

const environmentOf = (t: SignInTarget): string => {
  if (!t.instanceUrl) throw new Error('a Dynamics 365 sign-in always knows its environment');
  return t.instanceUrl;
};

/** An administrator signs in (authorization code + PKCE) and consents for the environment: delegated access with a refresh token. */
const delegatedSignIn: CrmProvider<DynamicsSettings>['signIn'] = {
  body: AuthorizeDynamicsBody,
  target: (settings, body, reconnecting) => target(settings, body ? AuthorizeDynamicsBody.parse(body) : null, reconnecting),
  authorizeUrl: (settings, t, p) => authorizeUrl(t.loginUrl, settings.identity, { ...p, scope: delegatedScope(environmentOf(t)) }),
  async exchangeCode(settings, t, p) {
    const environment = environmentOf(t);
    const tokens = await requestToken(t.loginUrl, settings.identity, {
      grant_type: 'authorization_code',
      code: p.code,
      redirect_uri: p.redirectUri,
      code_verifier: p.codeVerifier,
      scope: delegatedScope(environment),
    });
    return { ...tokens, loginUrl: t.loginUrl, instanceUrl: environment, authFlow: 'authorization_code' };
  },
};

/** The app registration signs in as its application user in the environment (client credentials): no browser, no refresh token. */
const appRegistrationSignIn: NonNullable<CrmProvider<DynamicsSettings>['appSignIn']> = {
  body: ConnectDynamicsAppBody,
  target: (settings, body, reconnecting) => target(settings, body ? ConnectDynamicsAppBody.parse(body) : null, reconnecting),
  async requestTokens(settings, t) {
    const environment = environmentOf(t);
    const tokens = await requestToken(t.loginUrl, settings.identity, { grant_type: 'client_credentials', scope: appScope(environment) });
    return { ...tokens, refreshToken: null, loginUrl: t.loginUrl, instanceUrl: environment, authFlow: 'client_credentials' };
  },
};

/** Dynamics 365 (Dataverse): an admin's delegated sign-in (authorization code + PKCE), or the app registration's client credentials. */
export const dynamicsProvider: CrmProvider<DynamicsSettings> = {
  kind: 'dynamics',
  name: 'Dynamics 365',
  requiredSettings: ['DYNAMICS_CLIENT_ID', 'DYNAMICS_CLIENT_SECRET'],
  settings: dynamicsSettings,
  signIn: delegatedSignIn,
  appSignIn: appRegistrationSignIn,
  identify(_settings, tokens) {
    // Tokens just received, nothing stored yet: nothing to renew either.
    return whoAmI(new DataverseApi({ environmentUrl: tokens.instanceUrl, tokens: signInTokens(tokens.accessToken, 'Dynamics 365') }));
  },
  // No revokeAccess: the Microsoft identity platform (v2.0 endpoints) has no endpoint to revoke one refresh token.
  // Removing access drops the stored tokens; the access token already issued lives until it expires (about an
  // hour), and an administrator can revoke every session of the user in Entra ID (revokeSignInSessions) if needed.
  connector: (settings, connection, store) => connectorFor(settings, connection, store),
  writer: (settings, connection, store) => writerFor(settings, connection, store),
};
