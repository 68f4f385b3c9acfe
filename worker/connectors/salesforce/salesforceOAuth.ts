import { OAuth2 } from 'jsforce/core';
import { SALESFORCE_LOGIN_URLS, salesforceLoginOrigin } from '../../../shared/crm/salesforceLoginHost.ts';
import type { SalesforceLoginHost } from '../../../shared/schema/connections.ts';
import { CrmError } from '../connector.ts';
import { fetchTransport, SalesforceHttpError } from './salesforceHttp.ts';
import { withRetry, type RetryPolicy, type Sleep } from '../../../shared/retry/retryPolicy.ts';
import type { TokenSet } from '../store/crmConnections.ts';
import { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, retryVerdict, toCrmError, type SalesforceSession } from './salesforceConnector.ts';

/** OAuth 2.0 web server flow with PKCE (RFC 7636), the flow Salesforce recommends for server-side apps. */

export type SalesforceApp = { clientId: string; clientSecret: string };

/** Login URLs for the named environments; configuration, so tests (and Government Cloud) can point elsewhere. */
export type SalesforceLoginUrls = { production: string; sandbox: string };

export function resolveLoginUrl(host: SalesforceLoginHost, urls: SalesforceLoginUrls = SALESFORCE_LOGIN_URLS): string {
  if (host === 'production' || host === 'sandbox') return urls[host].replace(/\/+$/, '');
  const origin = salesforceLoginOrigin(host);
  if (!origin) throw new CrmError('crm_error', `"${host}" is not a Salesforce login address`, null, null, 400);
  return origin;
}

export function authorizeUrl(p: { app: SalesforceApp; loginUrl: string; redirectUri: string; state: string; codeChallenge: string }): string {
  const oauth = new OAuth2({ loginUrl: p.loginUrl, clientId: p.app.clientId, redirectUri: p.redirectUri });
  return oauth.getAuthorizationUrl({
    // api: REST access; refresh_token: offline access, so imports work long after the login.
    scope: 'api refresh_token',
    state: p.state,
    code_challenge: p.codeChallenge,
    code_challenge_method: 'S256',
  });
}

/** Trades the authorization code for tokens at the login host the flow started on. */
export async function exchangeCode(p: {
  app: SalesforceApp;
  loginUrl: string;
  redirectUri: string;
  code: string;
  codeVerifier: string;
  timeoutMs?: number;
}): Promise<SalesforceSession> {
  const oauth = new OAuth2({ loginUrl: p.loginUrl, clientId: p.app.clientId, clientSecret: p.app.clientSecret, redirectUri: p.redirectUri });
  oauth._transport = fetchTransport(oauth._transport, p.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let answer: { access_token: string; refresh_token?: string; instance_url: string };
  try {
    answer = await oauth.requestToken(p.code, { code_verifier: p.codeVerifier });
  } catch (e) {
    if (e instanceof SalesforceHttpError && e.status < 500) {
      throw new CrmError('crm_auth_failed', `Salesforce did not complete the login: ${e.message}`, e.errorCode, e.message, e.status);
    }
    throw toCrmError(e);
  }
  return { loginUrl: p.loginUrl, instanceUrl: checkedInstanceUrl(answer.instance_url, p.loginUrl), accessToken: answer.access_token, refreshToken: answer.refresh_token ?? null };
}

export type RefreshOptions = { timeoutMs?: number; retry?: Partial<RetryPolicy>; sleep?: Sleep };

/**
 * A new access token for a stored connection's refresh token, retried like any call on 5xx. A refresh token
 * Salesforce refuses (invalid_grant: revoked, expired, password reset) is crm_auth_failed, which the token source
 * turns into needs_reauth.
 */
export async function refreshAccessToken(
  p: { app: SalesforceApp; loginUrl: string; refreshToken: string },
  options: RefreshOptions = {},
): Promise<TokenSet & { instanceUrl?: string }> {
  const oauth = new OAuth2({ loginUrl: p.loginUrl, clientId: p.app.clientId, clientSecret: p.app.clientSecret });
  oauth._transport = fetchTransport(oauth._transport, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let answer: { access_token: string; refresh_token?: string; instance_url?: string };
  try {
    answer = await withRetry(() => oauth.refreshToken(p.refreshToken), {
      policy: { ...DEFAULT_RETRY, ...options.retry },
      verdict: retryVerdict,
      sleep: options.sleep,
    });
  } catch (e) {
    if (e instanceof SalesforceHttpError && e.errorCode === 'invalid_grant') {
      throw new CrmError('crm_auth_failed', 'Salesforce no longer accepts this connection’s refresh token', e.errorCode, e.message, 401);
    }
    throw toCrmError(e);
  }
  return {
    accessToken: answer.access_token,
    // Salesforce rotates refresh tokens only when the connected app says so; a null keeps the stored one.
    refreshToken: answer.refresh_token ?? null,
    expiresAt: null,
    ...(answer.instance_url ? { instanceUrl: checkedInstanceUrl(answer.instance_url, p.loginUrl) } : {}),
  };
}

/** The API host comes from Salesforce's token answer; it must at least not downgrade to plain HTTP or carry credentials. */
function checkedInstanceUrl(instanceUrl: string, loginUrl: string): string {
  let url: URL;
  try {
    url = new URL(instanceUrl);
  } catch {
    throw new CrmError('crm_error', 'Salesforce returned an instance address we cannot use', null, instanceUrl, 502);
  }
  if (url.protocol !== new URL(loginUrl).protocol || url.username || url.password || url.search || url.hash) {
    throw new CrmError('crm_error', 'Salesforce returned an instance address we cannot use', null, instanceUrl, 502);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * Revokes a token at the login host it was issued by (POST /services/oauth2/revoke, form-encoded `token=`):
 * revoking the refresh token ends the whole grant, its access tokens with it. 200 = revoked; 400 with
 * `invalid_token` = already revoked or expired, which is what we wanted; anything else leaves the grant alive
 * and is an error, so the caller keeps the connection as it was and can try again.
 */
export async function revokeToken(p: { loginUrl: string; token: string; timeoutMs?: number }): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${p.loginUrl.replace(/\/+$/, '')}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token: p.token }).toString(),
      signal: AbortSignal.timeout(p.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (e) {
    throw new CrmError('crm_unavailable', 'Salesforce did not answer the request to revoke the access', null, e instanceof Error ? e.message : String(e), 503);
  }
  if (res.ok) return;
  const text = await res.text();
  let code: string | null = null;
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string') code = body.error;
  } catch {
    code = /error=([\w-]+)/.exec(text)?.[1] ?? null;
  }
  if (res.status === 400 && code === 'invalid_token') return;
  if (res.status >= 500) throw new CrmError('crm_unavailable', 'Salesforce could not revoke the access now', code, text.slice(0, 500), res.status);
  throw new CrmError('crm_error', 'Salesforce refused to revoke the access', code, text.slice(0, 500), res.status);
}
