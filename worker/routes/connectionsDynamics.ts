import { Hono } from 'hono';
import { dynamicsEnvironmentOrigin } from '../../shared/crm/dynamicsEnvironment.ts';
import { AuthorizeDynamicsBody, ConnectDynamicsAppBody } from '../../shared/schema/connections.ts';
import { CrmError } from '../connectors/connector.ts';
import { crmApiError } from '../connectors/crmErrorResponse.ts';
import { DataverseApi } from '../connectors/dynamics/dataverseApi.ts';
import { saveDynamicsConnection, toCrmConnection } from '../connectors/dynamics/dynamicsConnections.ts';
import { dynamicsSettings, type DynamicsSettings } from '../connectors/dynamics/index.ts';
import {
  appScope,
  authorizeUrl,
  delegatedScope,
  pkcePair,
  randomState,
  requestToken,
  tenantAuthority,
  type TokenSet,
} from '../connectors/dynamics/microsoftIdentity.ts';
import { whoAmI } from '../connectors/dynamics/whoAmI.ts';
import { OAuthStates } from '../connectors/store/oauthStates.ts';
import { ApiError } from '../http/apiError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody } from '../http/validate.ts';

function settingsOf(env: Env): DynamicsSettings {
  try {
    return dynamicsSettings(env);
  } catch (error) {
    if (error instanceof CrmError) throw new ApiError(500, 'internal', error.message);
    throw error;
  }
}

function environmentOrigin(raw: string, settings: DynamicsSettings): string {
  const origin = dynamicsEnvironmentOrigin(raw, settings.allowedOrigins);
  if (!origin) {
    const message = 'use your Dynamics 365 environment address, e.g. https://contoso.crm.dynamics.com';
    throw new ApiError(400, 'validation_failed', `environmentUrl: ${message}`, [{ path: ['environmentUrl'], message }]);
  }
  return origin;
}

/** A Web API client over tokens just received, before anything is stored: nothing to renew yet. */
function freshApi(environmentUrl: string, tokens: TokenSet): DataverseApi {
  return new DataverseApi({
    environmentUrl,
    tokens: {
      current: async () => tokens.accessToken,
      renew: async () => {
        throw new CrmError('crm_auth_failed', 'Dynamics 365 refused the new sign-in', null, null, 401);
      },
    },
  });
}

const CALLBACK_PATH = '/api/connections/dynamics/callback';

/**
 * Dynamics 365 sign-in, mounted at /api/connections/dynamics. Listing, deleting and reading through a connection
 * are the generic /api/connections routes, which open a Dynamics connection with openDynamicsConnector().
 */
export const dynamicsConnectionRoutes = new Hono<AppEnv>()
  /** Starts the admin's sign-in: state + PKCE verifier kept server-side, the browser is sent to Microsoft. */
  .post('/authorize', jsonBody(AuthorizeDynamicsBody), async (c) => {
    const settings = settingsOf(c.env);
    const body = c.req.valid('json');
    const environment = environmentOrigin(body.environmentUrl, settings);
    const authority = tenantAuthority(settings.identity.authorityUrl, body.tenant);
    const redirectUri = `${new URL(c.req.url).origin}${CALLBACK_PATH}`;
    const { verifier, challenge } = await pkcePair();
    const state = randomState();
    await new OAuthStates(c.env.DB, c.var.workspaceId, settings.tokenCipher).create(state, {
      kind: 'dynamics',
      loginUrl: authority,
      redirectUri,
      codeVerifier: verifier,
      connectionId: null,
    });
    // The environment rides with the state row (migration 0020), so the callback trusts nothing from the browser but `state`.
    await c.env.DB.prepare("UPDATE crm_oauth_states SET instance_url = ? WHERE state = ? AND workspace_id = ? AND kind = 'dynamics'")
      .bind(environment, state, c.var.workspaceId)
      .run();
    return c.json({ authorizeUrl: authorizeUrl(authority, settings.identity, { redirectUri, scope: delegatedScope(environment), state, codeChallenge: challenge }) });
  })
  /** Microsoft redirects here; the code is exchanged with the verifier, the tokens sealed, the browser sent back to the SPA. */
  .get('/callback', async (c) => {
    const back = (query: Record<string, string>) => c.redirect(`/connections?${new URLSearchParams(query)}`, 302);
    const state = c.req.query('state') ?? '';
    const settings = settingsOf(c.env);
    const pendingEnvironment = state
      ? await c.env.DB.prepare("SELECT instance_url FROM crm_oauth_states WHERE state = ? AND workspace_id = ? AND kind = 'dynamics'")
          .bind(state, c.var.workspaceId)
          .first<{ instance_url: string | null }>()
      : null;
    const pending = state ? await new OAuthStates(c.env.DB, c.var.workspaceId, settings.tokenCipher).consume(state, 'dynamics') : null;
    // Unknown, replayed, expired, or started by another workspace: nothing to complete (same answers as Salesforce's callback).
    if (!pending || !pendingEnvironment?.instance_url) return back({ error: 'login_expired' });
    const microsoftError = c.req.query('error');
    const code = c.req.query('code');
    if (microsoftError || !code) return back({ error: microsoftError === 'access_denied' ? 'access_denied' : 'login_failed' });
    const environment = pendingEnvironment.instance_url;
    try {
      const tokens = await requestToken(pending.loginUrl, settings.identity, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: pending.redirectUri,
        code_verifier: pending.codeVerifier,
        scope: delegatedScope(environment),
      });
      const identity = await whoAmI(freshApi(environment, tokens));
      const row = await saveDynamicsConnection(c.env.DB, settings.tokenCipher, {
        workspaceId: c.var.workspaceId,
        authority: pending.loginUrl,
        environmentUrl: environment,
        authFlow: 'authorization_code',
        identity,
        tokens,
      });
      return back({ connected: row.id });
    } catch (error) {
      if (error instanceof CrmError) return back({ error: error.code });
      throw error;
    }
  })
  /** Connects as the app registration (client credentials): no browser round trip, the answer is the connection. */
  .post('/app', jsonBody(ConnectDynamicsAppBody), async (c) => {
    const settings = settingsOf(c.env);
    const body = c.req.valid('json');
    const environment = environmentOrigin(body.environmentUrl, settings);
    const authority = tenantAuthority(settings.identity.authorityUrl, body.tenant);
    try {
      const tokens = await requestToken(authority, settings.identity, { grant_type: 'client_credentials', scope: appScope(environment) });
      const identity = await whoAmI(freshApi(environment, tokens));
      const row = await saveDynamicsConnection(c.env.DB, settings.tokenCipher, {
        workspaceId: c.var.workspaceId,
        authority,
        environmentUrl: environment,
        authFlow: 'client_credentials',
        identity,
        tokens: { ...tokens, refreshToken: null },
      });
      return c.json(toCrmConnection(row), 201);
    } catch (error) {
      if (error instanceof CrmError) throw crmApiError(error);
      throw error;
    }
  });
