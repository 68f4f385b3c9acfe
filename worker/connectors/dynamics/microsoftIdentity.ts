import { z } from 'zod';
import { CrmError } from '../connector.ts';
import { jsonOrUndefined } from '../vendorAnswer.ts';

/** The app registration and where Microsoft identity platform v2 lives (configuration: sovereign clouds differ). */
export type IdentityConfig = { authorityUrl: string; clientId: string; clientSecret: string };

export type TokenSet = { accessToken: string; refreshToken: string | null; expiresAt: string };

/** Microsoft's token answer (RFC 6749 §5.1) and error (§5.2), as far as we rely on them. */
const TokenAnswer = z.object({ access_token: z.string().min(1), refresh_token: z.string().optional(), expires_in: z.union([z.number(), z.string()]).optional() });
const IdentityErrorBody = z.object({ error: z.string().optional(), error_description: z.string().optional() });

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
  // An HTML error page from a gateway is no JSON: handled by status below.
  const json = jsonOrUndefined(text);
  const answer = TokenAnswer.safeParse(json);
  if (response.ok && answer.success) {
    const seconds = Number(answer.data.expires_in ?? 3600);
    return {
      accessToken: answer.data.access_token,
      refreshToken: answer.data.refresh_token ?? null,
      expiresAt: new Date(Date.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000).toISOString(),
    };
  }
  const parsed = IdentityErrorBody.safeParse(json).data ?? {};
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
