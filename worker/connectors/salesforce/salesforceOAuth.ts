import { OAuth2 } from 'jsforce/core';
import { SALESFORCE_LOGIN_URLS, salesforceLoginOrigin } from '../../../shared/crm/salesforceLoginHost.ts';
import type { SalesforceLoginHost } from '../../../shared/schema/connections.ts';
import { CrmError } from '../connector.ts';
import { fetchTransport, SalesforceHttpError } from './salesforceHttp.ts';
import { toCrmError, type SalesforceSession } from './salesforceConnector.ts';

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
  oauth._transport = fetchTransport(oauth._transport, p.timeoutMs ?? 30_000);
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
