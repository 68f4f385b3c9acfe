import type { SsoProvider } from '../../../shared/schema/auth.ts';

export const SSO_LABELS: Record<SsoProvider, string> = { microsoft: 'Microsoft', salesforce: 'Salesforce' };

/**
 * What the sign-in page says when a single sign-on came back refused (`/sign-in?error=<code>`): the Worker's own
 * codes (who may get in) and better-auth's callback codes (the provider's answer did not hold), in people's words.
 */
export function signInProblem(error: string | null, email: string | null): string | null {
  if (!error) return null;
  const who = email ? ` ${email}` : ' this address';
  switch (error) {
    case 'not_invited':
      return `You signed in as${who}, but no workspace on this server has invited that address. Ask an admin of your team to invite it, then sign in again.`;
    case 'email_not_verified':
      return `Your identity provider has not confirmed${who}, so it cannot take a seat here. Ask your IT administrator to verify the address, or sign in with a password.`;
    case 'invalid_code':
      return 'The sign-in could not be completed: the identity provider refused this sign-in’s code (it had expired, was used already, or did not match). Start again.';
    case 'unable_to_get_user_info':
      return 'The identity provider’s answer could not be verified (its signature, issuer or audience did not match), so nobody was signed in. Start again; if it keeps happening, tell your administrator.';
    case 'state_mismatch':
    case 'state_not_found':
    case 'state_security_mismatch':
    case 'please_restart_the_process':
      return 'That sign-in was started in another browser or has expired. Start again from this page.';
    case 'access_denied':
      return 'The sign-in was cancelled at the identity provider.';
    case 'account_not_linked':
    case 'unable_to_link_account':
      return 'An account with this address already exists here and its address is not confirmed yet: sign in with your password first.';
    default:
      return `The sign-in did not complete (${error}). Start again.`;
  }
}

/** Where to go after signing in: a path of this app given as `?next=`, never another site. */
export function afterSignIn(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return null;
  return next;
}
