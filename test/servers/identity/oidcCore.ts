import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import type { IdentityUser } from './controlTypes.ts';

/**
 * What every OpenID Connect provider does the same way (OpenID Connect Core 1.0, RFC 6749, RFC 7636): signing keys
 * and their JWKS, RS256 id_tokens, single-use authorization codes bound to client, redirect URI, PKCE challenge
 * and nonce. The flavours (microsoft.ts, salesforce.ts) add their paths, claims and error answers.
 */

const base64url = (bytes: Buffer) => bytes.toString('base64url');

export type SigningKey = { kid: string; privateKey: KeyObject; jwk: Record<string, unknown> };

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256', kty: 'RSA' } };
}

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const header = base64url(Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid })));
  const payload = base64url(Buffer.from(JSON.stringify(claims)));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key.privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export type AuthorizationRequest = {
  clientId: string;
  redirectUri: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  scope: string;
};

type IssuedCode = AuthorizationRequest & { user: IdentityUser; expiresAt: number; redeemed: boolean };

/** Why a code cannot be redeemed; each flavour words it the way its vendor does. */
export type CodeProblem = 'unknown_code' | 'redeemed_code' | 'expired_code' | 'other_client' | 'redirect_mismatch' | 'missing_verifier' | 'pkce_mismatch';

export class AuthorizationCodes {
  private readonly codes = new Map<string, IssuedCode>();

  constructor(private readonly lifetimeMs: number) {}

  issue(request: AuthorizationRequest, user: IdentityUser): string {
    const code = base64url(randomBytes(32));
    const expiresAt = user.fault === 'expired_code' ? Date.now() - 1000 : Date.now() + this.lifetimeMs;
    this.codes.set(code, { ...request, user, expiresAt, redeemed: false });
    return code;
  }

  /** Checks in the order a provider does: the code, its client and redirect URI, then PKCE. */
  redeem(code: string, clientId: string, redirectUri: string | null, verifier: string | null): { issued: IssuedCode } | { problem: CodeProblem } {
    const issued = this.codes.get(code);
    if (!issued) return { problem: 'unknown_code' };
    if (issued.redeemed) return { problem: 'redeemed_code' };
    if (issued.expiresAt < Date.now()) return { problem: 'expired_code' };
    if (issued.clientId !== clientId) return { problem: 'other_client' };
    if (issued.redirectUri !== redirectUri) return { problem: 'redirect_mismatch' };
    if (issued.codeChallenge !== null) {
      if (!verifier) return { problem: 'missing_verifier' };
      const expected = issued.codeChallengeMethod === 'S256' ? s256(verifier) : verifier;
      if (expected !== issued.codeChallenge) return { problem: 'pkce_mismatch' };
    }
    issued.redeemed = true;
    return { issued };
  }
}

/** The standard claims of an id_token (OIDC Core §2), with the user's fault applied. */
export function idTokenClaims(issued: { clientId: string; nonce: string | null; user: IdentityUser }, issuer: string, extra: Record<string, unknown>): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issued.user.fault === 'wrong_issuer' ? `${issuer}-impostor` : issuer,
    aud: issued.user.fault === 'wrong_audience' ? 'another-application' : issued.clientId,
    iat: now,
    nbf: now,
    exp: now + 3600,
    ...(issued.nonce ? { nonce: issued.nonce } : {}),
    ...extra,
  };
}

/** Signs with the provider's key, or, for a user whose fault is a bad signature, with a stranger's key under the same kid. */
export function idTokenFor(user: IdentityUser, key: SigningKey, claims: Record<string, unknown>): string {
  if (user.fault !== 'bad_signature') return signJwt(key, claims);
  const stranger = newSigningKey();
  return signJwt({ ...stranger, kid: key.kid }, claims);
}

export function newUser(request: Omit<IdentityUser, 'id' | 'loginHint'>, id: string): IdentityUser {
  return { ...request, emailVerified: request.emailVerified ?? true, id, loginHint: `${request.email}#${randomUUID().slice(0, 8)}` };
}

/** The login page a person sees when the app sends no login hint: one field, the account to sign in as. */
export function loginPage(title: string, action: string, hidden: Record<string, string>, problem?: string): string {
  const inputs = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family: sans-serif; max-width: 24rem; margin: 4rem auto">
<h1>${escapeHtml(title)}</h1>${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="get" action="${escapeHtml(action)}">${inputs}
<label>Email <input name="login_hint" type="email" required></label>
<button type="submit">Sign in</button></form></body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
