import { randomBytes } from 'node:crypto';
import { SALESFORCE_TEST_APP, type IdentityUser } from './controlTypes.ts';
import { clientOf, html, json, redirect, type IdpRequest } from './http.ts';
import { AuthorizationCodes, type CodeProblem, idTokenClaims, idTokenFor, loginPage, newSigningKey } from './oidcCore.ts';

/**
 * Salesforce as an OpenID Connect provider, as Salesforce documents it: `/.well-known/openid-configuration`,
 * `/services/oauth2/authorize` (web server flow with PKCE), `/services/oauth2/token`, `/services/oauth2/userinfo`,
 * `/id/keys`; the issuer is the login URL (login.salesforce.com, test.salesforce.com or the org's My Domain); the
 * id_token's `sub` is the user's identity URL; codes live 15 minutes; errors are `{ error, error_description }`
 * (a code_verifier that does not match the challenge: invalid_request; none sent: invalid_grant).
 */
export function salesforceFlavour(findUser: (hint: string) => IdentityUser | undefined) {
  const key = newSigningKey();
  const codes = new AuthorizationCodes(15 * 60_000);
  const accessTokens = new Map<string, IdentityUser>();

  const TOKEN_PROBLEMS: Record<CodeProblem, [number, string, string]> = {
    unknown_code: [400, 'invalid_grant', 'invalid authorization code'],
    redeemed_code: [400, 'invalid_grant', 'invalid authorization code'],
    expired_code: [400, 'invalid_grant', 'expired authorization code'],
    other_client: [400, 'invalid_grant', 'invalid authorization code'],
    redirect_mismatch: [400, 'invalid_grant', 'redirect_uri must match configuration'],
    missing_verifier: [400, 'invalid_grant', 'invalid code verifier'],
    pkce_mismatch: [400, 'invalid_request', 'invalid code verifier'],
  };

  const identityUrl = (base: string, user: IdentityUser) => `${base}/id/${SALESFORCE_TEST_APP.orgId}/${user.id}`;

  return (r: IdpRequest): boolean => {
    const { base } = r;
    switch (r.path) {
      case '/.well-known/openid-configuration':
        json(r.res, 200, {
          issuer: base,
          authorization_endpoint: `${base}/services/oauth2/authorize`,
          token_endpoint: `${base}/services/oauth2/token`,
          revocation_endpoint: `${base}/services/oauth2/revoke`,
          userinfo_endpoint: `${base}/services/oauth2/userinfo`,
          jwks_uri: `${base}/id/keys`,
          scopes_supported: ['id', 'api', 'web', 'full', 'chatter_api', 'visualforce', 'refresh_token', 'openid', 'profile', 'email', 'address', 'phone', 'offline_access'],
          response_types_supported: ['code', 'token', 'token id_token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          display_values_supported: ['page', 'popup', 'touch'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
          claims_supported: ['active', 'address', 'email', 'email_verified', 'family_name', 'given_name', 'is_app_installed', 'language', 'locale', 'name', 'nickname', 'organization_id', 'phone_number', 'phone_number_verified', 'photos', 'picture', 'preferred_username', 'profile', 'sub', 'updated_at', 'urls', 'user_id', 'user_type', 'zoneinfo'],
        });
        return true;
      case '/id/keys':
        json(r.res, 200, { keys: [key.jwk] });
        return true;
      case '/services/oauth2/authorize': {
        const q = r.query;
        const redirectUri = q.get('redirect_uri') ?? '';
        if (q.get('client_id') !== SALESFORCE_TEST_APP.clientId) {
          html(r.res, 400, '<h1>error=invalid_client_id</h1><p>client identifier invalid</p>');
          return true;
        }
        const back = (params: Record<string, string>) => {
          const url = new URL(redirectUri);
          for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
          const state = q.get('state');
          if (state) url.searchParams.set('state', state);
          redirect(r.res, url.toString());
        };
        if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response type not supported' }), true;
        const hint = q.get('login_hint');
        const user = hint ? findUser(hint) : undefined;
        if (!user) {
          const hidden = Object.fromEntries([...q.entries()].filter(([k]) => k !== 'login_hint'));
          html(r.res, 200, loginPage('Log in to Salesforce', `${new URL(base).pathname}${r.path}`, hidden, hint ? 'Please check your username and password. If you still can’t log in, contact your Salesforce administrator.' : undefined));
          return true;
        }
        const code = codes.issue(
          {
            clientId: SALESFORCE_TEST_APP.clientId,
            redirectUri,
            state: q.get('state'),
            nonce: q.get('nonce'),
            codeChallenge: q.get('code_challenge'),
            codeChallengeMethod: q.get('code_challenge') ? 'S256' : null,
            scope: q.get('scope') ?? '',
          },
          user,
        );
        back({ code });
        return true;
      }
      case '/services/oauth2/token': {
        const client = clientOf(r);
        if (client.id !== SALESFORCE_TEST_APP.clientId) return json(r.res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }), true;
        if (client.secret !== SALESFORCE_TEST_APP.clientSecret) return json(r.res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' }), true;
        if (r.form.get('grant_type') !== 'authorization_code') return json(r.res, 400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }), true;
        const redeemed = codes.redeem(r.form.get('code') ?? '', client.id, r.form.get('redirect_uri'), r.form.get('code_verifier'));
        if ('problem' in redeemed) {
          const [status, error, description] = TOKEN_PROBLEMS[redeemed.problem];
          return json(r.res, status, { error, error_description: description }), true;
        }
        const { issued } = redeemed;
        const user = issued.user;
        const accessToken = `${SALESFORCE_TEST_APP.orgId}!${randomBytes(24).toString('base64url')}`;
        accessTokens.set(accessToken, user);
        const claims = idTokenClaims(issued, base, {
          sub: identityUrl(base, user),
          name: user.name ?? user.email,
          preferred_username: user.email,
          email: user.email,
          email_verified: user.emailVerified ?? true,
        });
        json(r.res, 200, {
          access_token: accessToken,
          signature: randomBytes(32).toString('base64'),
          scope: issued.scope,
          id_token: idTokenFor(user, key, claims),
          instance_url: base,
          id: identityUrl(base, user),
          token_type: 'Bearer',
          issued_at: String(Date.now()),
        });
        return true;
      }
      case '/services/oauth2/userinfo': {
        const bearer = /^Bearer\s+(\S+)$/i.exec(r.req.headers.authorization ?? '')?.[1];
        const user = bearer ? accessTokens.get(bearer) : undefined;
        if (!user) return json(r.res, 403, 'Bad_OAuth_Token'), true;
        json(r.res, 200, {
          sub: identityUrl(base, user),
          user_id: user.id,
          organization_id: SALESFORCE_TEST_APP.orgId,
          preferred_username: user.email,
          name: user.name ?? user.email,
          email: user.email,
          email_verified: user.emailVerified ?? true,
          active: true,
          user_type: 'STANDARD',
        });
        return true;
      }
      default:
        return false;
    }
  };
}
