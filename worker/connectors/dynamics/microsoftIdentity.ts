import { CrmError } from '../connector.ts';

/** The app registration and where Microsoft identity platform v2 lives (configuration: sovereign clouds differ). */
export type IdentityConfig = { authorityUrl: string; clientId: string; clientSecret: string };

export type TokenSet = { accessToken: string; refreshToken: string | null; expiresAt: string };

type TokenAnswer = { access_token?: string; refresh_token?: string; expires_in?: number | string };
type IdentityErrorBody = { error?: string; error_description?: string };

/** `<authority>/<tenant>`: the tenant is validated (isTenant) before it reaches a URL path. */
export function tenantAuthority(authorityUrl: string, tenant: string): string {
  return `${authorityUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}`;
}

/** Delegated access as the signed-in admin; offline_access is what brings a refresh token. */
export const delegatedScope = (environmentOrigin: string) => `${environmentOrigin}/user_impersonation offline_access`;
/** An app registration gets the permissions granted to its application user in the environment. */
export const appScope = (environmentOrigin: string) => `${environmentOrigin}/.default`;

export function authorizeUrl(
  authority: string,
  config: IdentityConfig,
  p: { redirectUri: string; scope: string; state: string; codeChallenge: string },
): string {
  const params = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: p.redirectUri,
    response_mode: 'query',
    scope: p.scope,
    state: p.state,
    code_challenge: p.codeChallenge,
    code_challenge_method: 'S256',
    prompt: 'select_account',
  });
  return `${authority}/oauth2/v2.0/authorize?${params}`;
}

/**
 * One token request (authorization_code, refresh_token or client_credentials). Microsoft's errors keep their
 * OAuth code (`invalid_grant`, `invalid_client`) as the vendor code and the AADSTS description as the message.
 */
export async function requestToken(authority: string, config: IdentityConfig, grant: Record<string, string>): Promise<TokenSet> {
  const body = new URLSearchParams({ client_id: config.clientId, client_secret: config.clientSecret, ...grant });
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    text = await response.text();
  } catch (error) {
    throw new CrmError('crm_unavailable', 'Microsoft sign-in could not be reached', null, String(error), 0);
  }
  let parsed: TokenAnswer & IdentityErrorBody = {};
  try {
    parsed = JSON.parse(text) as TokenAnswer & IdentityErrorBody;
  } catch {
    /* an HTML error page from a gateway: handled by status below */
  }
  if (response.ok && parsed.access_token) {
    const seconds = Number(parsed.expires_in ?? 3600);
    return {
      accessToken: parsed.access_token,
      refreshToken: parsed.refresh_token ?? null,
      expiresAt: new Date(Date.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000).toISOString(),
    };
  }
  if (response.status >= 500 || response.status === 429) {
    throw new CrmError('crm_unavailable', 'Microsoft sign-in is unavailable right now', parsed.error ?? null, parsed.error_description ?? null, response.status);
  }
  const description = parsed.error_description ?? null;
  const message =
    parsed.error === 'invalid_grant' || parsed.error === 'interaction_required'
      ? 'The Microsoft sign-in for this Dynamics 365 connection expired or was revoked; reconnect it'
      : parsed.error === 'invalid_client' || parsed.error === 'unauthorized_client'
        ? 'Microsoft does not accept our app registration (client id or secret) for this tenant'
        : `Microsoft sign-in failed${description ? `: ${description.split(/\r?\n| Trace ID:/)[0]}` : ''}`;
  throw new CrmError('crm_auth_failed', message, parsed.error ?? `HTTP_${response.status}`, description, response.status);
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** PKCE (RFC 7636, S256): the verifier stays sealed in D1, only its hash travels through the browser. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return { verifier, challenge: base64url(digest) };
}

export function randomState(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(24)));
}
