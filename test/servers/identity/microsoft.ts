import { createHash, randomUUID } from 'node:crypto';
import { MICROSOFT_TEST_APP, type IdentityUser } from './controlTypes.ts';
import { clientOf, html, json, redirect, type IdpRequest } from './http.ts';
import { AuthorizationCodes, type CodeProblem, escapeHtml, idTokenClaims, idTokenFor, loginPage, newSigningKey } from './oidcCore.ts';

/**
 * Microsoft Entra ID's v2.0 endpoints as Microsoft documents them: `/{tenant}/v2.0/.well-known/openid-configuration`,
 * `/{tenant}/oauth2/v2.0/authorize`, `/{tenant}/oauth2/v2.0/token`, `/{tenant}/discovery/v2.0/keys`; the issuer is
 * `{authority}/{tenant id}/v2.0`; errors are `{ error, error_description: "AADSTSnnnn: …", error_codes, timestamp,
 * trace_id, correlation_id }`; authorization codes live about 10 minutes and are redeemed once.
 */
export function microsoftFlavour(findUser: (hint: string) => IdentityUser | undefined) {
  const key = newSigningKey();
  const codes = new AuthorizationCodes(10 * 60_000);
  const tenant = MICROSOFT_TEST_APP.tenantId;

  function aadError(r: IdpRequest, status: number, error: string, code: number, text: string): void {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
    json(r.res, status, {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    });
  }

  const TOKEN_PROBLEMS: Record<CodeProblem, [string, number, string]> = {
    unknown_code: ['invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid. - The issue here is because there was something wrong with the request to a certain endpoint.'],
    redeemed_code: ['invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'],
    expired_code: ['invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'],
    other_client: ['invalid_grant', 70000, 'The request was denied because one or more grants are invalid.'],
    redirect_mismatch: ['invalid_grant', 70000, 'The request was denied because one or more grants are invalid.'],
    missing_verifier: ['invalid_grant', 50148, 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.'],
    pkce_mismatch: ['invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'],
  };

  return (r: IdpRequest): boolean => {
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/authorize|oauth2\/v2\.0\/token|discovery\/v2\.0\/keys)$/.exec(r.path);
    if (!m) return false;
    const [, tenantInPath = '', endpoint] = m;
    if (tenantInPath !== tenant) {
      aadError(r, 400, 'invalid_tenant', 90002, `Tenant '${tenantInPath}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
      return true;
    }
    const authority = `${r.base}/${tenant}`;
    const issuer = `${authority}/v2.0`;

    if (endpoint === 'v2.0/.well-known/openid-configuration') {
      json(r.res, 200, {
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${authority}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer,
        request_uri_parameter_supported: false,
        userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
      });
      return true;
    }

    if (endpoint === 'discovery/v2.0/keys') {
      json(r.res, 200, { keys: [{ ...key.jwk, x5t: key.kid, issuer }] });
      return true;
    }

    if (endpoint === 'oauth2/v2.0/authorize') {
      const q = r.query;
      if (q.get('client_id') !== MICROSOFT_TEST_APP.clientId) {
        html(r.res, 400, `<h1>Sign in</h1><p>AADSTS700016: Application with identifier '${escapeHtml(q.get('client_id') ?? '')}' was not found in the directory.</p>`);
        return true;
      }
      const redirectUri = q.get('redirect_uri') ?? '';
      const back = (params: Record<string, string>) => {
        const url = new URL(redirectUri);
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
        const state = q.get('state');
        if (state) url.searchParams.set('state', state);
        redirect(r.res, url.toString());
      };
      if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'AADSTS70005: response_type is not supported.' }), true;
      const hint = q.get('login_hint');
      const user = hint ? findUser(hint) : undefined;
      if (!user) {
        const hidden = Object.fromEntries([...q.entries()].filter(([k]) => k !== 'login_hint'));
        html(r.res, 200, loginPage('Sign in to your Microsoft account', `${new URL(r.base).pathname}${r.path}`, hidden, hint ? `AADSTS50034: The user account ${hint} does not exist in the directory.` : undefined));
        return true;
      }
      const code = codes.issue(
        {
          clientId: MICROSOFT_TEST_APP.clientId,
          redirectUri,
          state: q.get('state'),
          nonce: q.get('nonce'),
          codeChallenge: q.get('code_challenge'),
          codeChallengeMethod: q.get('code_challenge_method'),
          scope: q.get('scope') ?? '',
        },
        user,
      );
      back({ code, session_state: randomUUID() });
      return true;
    }

    // Token endpoint: authorization_code only (what sign-in needs).
    const client = clientOf(r);
    if (client.id !== MICROSOFT_TEST_APP.clientId) return aadError(r, 400, 'unauthorized_client', 700016, `Application with identifier '${client.id}' was not found in the directory.`), true;
    if (client.secret !== MICROSOFT_TEST_APP.clientSecret) return aadError(r, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.'), true;
    if (r.form.get('grant_type') !== 'authorization_code') return aadError(r, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'), true;
    const redeemed = codes.redeem(r.form.get('code') ?? '', client.id, r.form.get('redirect_uri'), r.form.get('code_verifier'));
    if ('problem' in redeemed) {
      const [error, code, text] = TOKEN_PROBLEMS[redeemed.problem];
      return aadError(r, 400, error, code, text), true;
    }
    const { issued } = redeemed;
    const user = issued.user;
    // Entra's `sub` is pairwise (per app); `oid` is the user's one id in the tenant.
    const sub = createHash('sha256').update(`${user.id}:${issued.clientId}`).digest('base64url').slice(0, 43);
    const claims = idTokenClaims(issued, issuer, {
      ver: '2.0',
      sub,
      oid: user.id,
      tid: tenant,
      name: user.name ?? user.email,
      preferred_username: user.email,
      email: user.email,
      // Optional claim: the email domain's owner is verified.
      ...(user.emailVerified ? { xms_edov: true } : {}),
    });
    json(r.res, 200, {
      token_type: 'Bearer',
      scope: issued.scope.split(' ').filter((s) => !['openid', 'profile', 'email', 'offline_access'].includes(s)).join(' ') || 'User.Read',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: `eyJ0eXAiOiJKV1Qi.${randomUUID()}`,
      id_token: idTokenFor(user, key, claims),
    });
    return true;
  };
}
