import type { z } from 'zod';
import type { CrmKind } from '../../shared/schema/crm.ts';
import type { Connector, CrmWriter } from './connector.ts';
import type { AccountIdentity, CrmConnections, SignedIn, StoredConnection, TokenSet } from './store/crmConnections.ts';

/**
 * One CRM, plugged in: everything the generic connection lifecycle (worker/routes/connections.ts, openConnector.ts)
 * needs to know about it. A provider holds no state and does no storage; the routes store, the token source
 * renews, and the connector reads. Adding a CRM = one folder with its provider + a line in registry.ts.
 */
export interface CrmProvider<Settings = unknown> {
  kind: CrmKind;
  /** How people call it: "Salesforce", "Dynamics 365". */
  name: string;
  /** Its configuration from the Worker's bindings, or null when this server is not set up for it. */
  settings(env: Env): Settings | null;
  /** The settings a deployment must put (for the "not set up" answer). */
  requiredSettings: readonly string[];

  /** Interactive sign-in (authorization code + PKCE): what the authorize body carries, and where to send the browser. */
  signIn: {
    body: z.ZodType<Record<string, unknown>>;
    /** The login host / authority and the API origin for this sign-in, from the body or from the connection it renews. */
    target(settings: Settings, body: Record<string, unknown> | null, reconnecting: StoredConnection | null): Promise<SignInTarget> | SignInTarget;
    authorizeUrl(settings: Settings, target: SignInTarget, p: { redirectUri: string; state: string; codeChallenge: string }): string;
    exchangeCode(settings: Settings, target: SignInTarget, p: { redirectUri: string; code: string; codeVerifier: string }): Promise<SignedInTokens>;
  };

  /** Sign-in as an app registration (client credentials), when the CRM offers it: no browser round trip. */
  appSignIn?: {
    body: z.ZodType<Record<string, unknown>>;
    target(settings: Settings, body: Record<string, unknown> | null, reconnecting: StoredConnection | null): Promise<SignInTarget> | SignInTarget;
    requestTokens(settings: Settings, target: SignInTarget): Promise<SignedInTokens>;
  };

  /** Whom fresh tokens belong to: the same org and user make the same connection. */
  identify(settings: Settings, tokens: SignedInTokens): Promise<AccountIdentity>;

  /**
   * Revokes the connection's grant at the CRM ("Remove access"), given its tokens unsealed for this call; the
   * routes then forget them. A CRM without a revocation endpoint leaves this out: dropping the stored refresh token
   * is then all that can be done (say why in its provider).
   */
  revokeAccess?(settings: Settings, connection: StoredConnection, tokens: { accessToken: string | null; refreshToken: string | null }): Promise<void>;

  /** The connector reading a stored connection. */
  connector(settings: Settings, connection: StoredConnection, store: CrmConnections): Connector;

  /** The writing side of a stored connection (issue 11), with the same token renewal and retries. */
  writer(settings: Settings, connection: StoredConnection, store: CrmConnections): CrmWriter;
}

/** Where a sign-in happens (token endpoint host or authority) and the CRM's API origin, when known before it. */
export type SignInTarget = { loginUrl: string; instanceUrl: string | null };

export type SignedInTokens = TokenSet & { loginUrl: string; instanceUrl: string; authFlow: SignedIn['authFlow'] };

export type { TokenSet };

/**
 * An optional setting of the deployment (a login host, an authority), which wrangler's generated Env does not list:
 * a non-empty string, or undefined.
 */
export function optionalSetting(env: Env, name: string): string | undefined {
  const value: unknown = Reflect.get(env, name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
