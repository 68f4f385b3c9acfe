import { z } from 'zod';
import {
  ApiToken,
  CreatedToken,
  type CreateTokenBody,
  Invitation,
  InvitationView,
  type InviteBody,
  Member,
  OutboxMail,
  SessionInfo,
  type FirstRunBody,
  type SsoProvider,
  WorkspaceSummary,
} from '../../shared/schema/auth.ts';
import { ApiErrorBody, type ErrorCode } from '../../shared/schema/errors.ts';
import { ApiError } from './apiError.ts';
import { request } from './request.ts';

const seg = encodeURIComponent;
const Anything = z.unknown();

// better-auth's own endpoints answer errors as `{ code, message }` (its codes, e.g. INVALID_EMAIL_OR_PASSWORD),
// not in our `{ error: … }` shape: read its sentence and give the failure one of our codes by status.
const SsoStart = z.object({ url: z.url() });
const BetterAuthError = z.object({ message: z.string().min(1) });
const CODE_OF_STATUS: Record<number, ErrorCode> = { 400: 'validation_failed', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 422: 'validation_failed' };

async function betterAuth(path: string, body: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (cause) {
    throw new ApiError('No connection to the server. Check your network and try again.', 0, 'network', String(cause));
  }
  if (response.ok) return response.json().catch(() => null);
  const json: unknown = await response.json().catch(() => null);
  // The Worker's own refusals in front of better-auth (a rate limit: 429) come in our error shape.
  const ours = ApiErrorBody.safeParse(json);
  if (ours.success) throw new ApiError(ours.data.error.message, response.status, ours.data.error.code);
  const answer = BetterAuthError.safeParse(json);
  const message = answer.success ? `${answer.data.message}.` : `The server answered ${response.status} without an explanation.`;
  throw new ApiError(message, response.status, CODE_OF_STATUS[response.status] ?? 'internal');
}

/** Calls for accounts and workspaces: better-auth's own endpoints under /api/auth and ours beside them. */
export const authApi = {
  session: () => request(SessionInfo, '/api/session', { idempotent: true }),
  firstRun: (body: FirstRunBody) => request(Anything, '/api/setup', { method: 'POST', body }),
  signIn: (email: string, password: string) => betterAuth('/api/auth/sign-in/email', { email, password }),
  // `callbackURL`: where the confirmation link lands once opened (e.g. back on the invitation).
  signUp: (name: string, email: string, password: string, callbackURL?: string) => betterAuth('/api/auth/sign-up/email', { name, email, password, callbackURL }),
  /** Starts a single sign-on: the answer is the identity provider's sign-in page, where the browser goes next. */
  singleSignOn: async (provider: SsoProvider, callbackURL: string): Promise<string> => {
    const answer = SsoStart.safeParse(await betterAuth('/api/auth/sign-in/social', { provider, callbackURL, errorCallbackURL: '/sign-in' }));
    if (!answer.success) throw new ApiError('The server did not say where to sign in. Try again.', 200, 'internal');
    return answer.data.url;
  },
  signOut: () => betterAuth('/api/auth/sign-out', {}),
  signOutEverywhere: () => betterAuth('/api/auth/revoke-sessions', {}),
  requestPasswordReset: (email: string) => betterAuth('/api/auth/request-password-reset', { email, redirectTo: '/reset-password' }),
  resetPassword: (token: string, newPassword: string) => betterAuth('/api/auth/reset-password', { token, newPassword }),
  switchWorkspace: (workspaceId: string) => request(WorkspaceSummary, '/api/workspaces/active', { method: 'PUT', body: { workspaceId } }),

  members: () => request(z.array(Member), '/api/members', { idempotent: true }),
  invitations: () => request(z.array(Invitation), '/api/members/invitations', { idempotent: true }),
  invite: (body: InviteBody) => request(Invitation, '/api/members/invitations', { method: 'POST', body }),
  cancelInvitation: (id: string) => request(Anything, `/api/members/invitations/${seg(id)}`, { method: 'DELETE' }),
  changeRole: (memberId: string, role: InviteBody['role']) => request(z.array(Member), `/api/members/${seg(memberId)}/role`, { method: 'PUT', body: { role } }),
  removeMember: (memberId: string) => request(Anything, `/api/members/${seg(memberId)}`, { method: 'DELETE' }),
  handOverKeyContact: (memberId: string) => request(z.array(Member), '/api/members/key-contact', { method: 'PUT', body: { memberId } }),
  invitation: (id: string) => request(InvitationView, `/api/invitations/${seg(id)}`, { idempotent: true }),
  acceptInvitation: (id: string) => request(Anything, `/api/invitations/${seg(id)}/accept`, { method: 'POST', body: {} }),

  tokens: () => request(z.array(ApiToken), '/api/tokens', { idempotent: true }),
  createToken: (body: CreateTokenBody) => request(CreatedToken, '/api/tokens', { method: 'POST', body }),
  revokeToken: (id: string) => request(Anything, `/api/tokens/${seg(id)}`, { method: 'DELETE' }),

  outbox: () => request(z.array(OutboxMail), '/api/outbox', { idempotent: true }),
};
