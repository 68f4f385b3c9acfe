import type { GenericOAuthConfig } from 'better-auth/plugins/generic-oauth';
import type { SsoProvider } from '../../shared/schema/auth.ts';

/**
 * Single sign-on with Microsoft Entra ID and Salesforce as OpenID Connect identity providers, through better-auth's
 * generic OAuth plugin: authorization code with PKCE (S256), `state` bound to the browser by better-auth's signed
 * state cookie, a `nonce` in the id_token, and the id_token's RS256 signature, issuer, audience and lifetime checked
 * against the provider's discovery document and JWKS before anything in it is believed.
 *
 * Each provider is on only when its client id and secret are set; the login base URL is a setting because real
 * deployments need it (Entra: the tenant and the national clouds; Salesforce: My Domain, sandboxes).
 */

const setting = (env: Env, name: string): string | undefined => {
  const value: unknown = Reflect.get(env, name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};
const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

export const MICROSOFT_AUTHORITY = 'https://login.microsoftonline.com';
export const SALESFORCE_LOGIN = 'https://login.salesforce.com';

type Claims = Record<string, unknown>;

/** The claims of an id_token the plugin has already verified (signature, issuer, audience, lifetime, nonce). */
function claimsOf(idToken: string): Claims {
  const payload = idToken.split('.')[1] ?? '';
  const bytes = Uint8Array.from(atob(payload.replaceAll('-', '+').replaceAll('_', '/')), (ch) => ch.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
}

/**
 * Entra's `email` claim is whatever a tenant admin typed: an address is only believed when Microsoft says the
 * domain's owner verified it (`xms_edov`, or `email_verified` where Entra sends it). Without that, a tenant could
 * name itself after anyone's address and take their invitation ("nOAuth").
 */
function microsoftProfile(claims: Claims) {
  const oid = typeof claims.oid === 'string' ? claims.oid : undefined;
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  if (!oid || !email) return null;
  const verified = claims.xms_edov === true || claims.xms_edov === '1' || claims.email_verified === true;
  return { ...claims, id: oid, sub: String(claims.sub), email, name: typeof claims.name === 'string' ? claims.name : email, emailVerified: verified };
}

function microsoft(env: Env): GenericOAuthConfig<SsoProvider> | null {
  const clientId = setting(env, 'MICROSOFT_SSO_CLIENT_ID');
  const clientSecret = setting(env, 'MICROSOFT_SSO_CLIENT_SECRET');
  // A concrete tenant: the multi-tenant endpoints ("common", "organizations") have no single issuer to check.
  const tenant = setting(env, 'MICROSOFT_SSO_TENANT_ID');
  if (!clientId || !clientSecret || !tenant) return null;
  const authority = `${withoutTrailingSlash(setting(env, 'MICROSOFT_SSO_AUTHORITY_URL') ?? MICROSOFT_AUTHORITY)}/${encodeURIComponent(tenant)}`;
  return {
    providerId: 'microsoft',
    name: 'Microsoft',
    discoveryUrl: `${authority}/v2.0/.well-known/openid-configuration`,
    requireIdTokenVerification: true,
    clientId,
    clientSecret,
    scopes: ['openid', 'profile', 'email'],
    pkce: true,
    // Called only after the plugin verified the id_token (signature, iss, aud, exp, nonce); the object id is the
    // stable account key (an Entra `sub` differs per app, `email` can change).
    getUserInfo: async (tokens) => (tokens.idToken ? microsoftProfile(claimsOf(tokens.idToken)) : null),
    accountSubject: ({ profile }) => String(profile.id),
  };
}

function salesforceProfile(claims: Claims) {
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const userId = typeof claims.user_id === 'string' ? claims.user_id : typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!email || !userId) return null;
  return { ...claims, id: userId, sub: String(claims.sub), email, name: typeof claims.name === 'string' ? claims.name : email, emailVerified: claims.email_verified === true };
}

function salesforce(env: Env): GenericOAuthConfig<SsoProvider> | null {
  const clientId = setting(env, 'SALESFORCE_SSO_CLIENT_ID');
  const clientSecret = setting(env, 'SALESFORCE_SSO_CLIENT_SECRET');
  if (!clientId || !clientSecret) return null;
  const login = withoutTrailingSlash(setting(env, 'SALESFORCE_SSO_LOGIN_URL') ?? SALESFORCE_LOGIN);
  return {
    providerId: 'salesforce',
    name: 'Salesforce',
    discoveryUrl: `${login}/.well-known/openid-configuration`,
    requireIdTokenVerification: true,
    clientId,
    clientSecret,
    scopes: ['openid', 'email', 'profile'],
    pkce: true,
    getUserInfo: async (tokens) => (tokens.idToken ? salesforceProfile(claimsOf(tokens.idToken)) : null),
    // The id_token's `sub` is the identity URL (…/id/<org id>/<user id>): unique across orgs, stable for the user.
    accountSubject: ({ profile }) => String(profile.sub),
  };
}

/** The identity providers this server is set up for, in the order the sign-in page shows them. */
export function ssoProviders(env: Env): GenericOAuthConfig<SsoProvider>[] {
  return [microsoft(env), salesforce(env)].filter((p): p is GenericOAuthConfig<SsoProvider> => p !== null);
}

export const ssoProviderIds = (env: Env): SsoProvider[] => ssoProviders(env).map((p) => p.providerId);
