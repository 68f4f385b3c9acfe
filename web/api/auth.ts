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
  WorkspaceSummary,
} from '../../shared/schema/auth.ts';
import { request } from './request.ts';

const seg = encodeURIComponent;
const Anything = z.unknown();

/** Calls for accounts and workspaces: better-auth's own endpoints under /api/auth and ours beside them. */
export const authApi = {
  session: () => request(SessionInfo, '/api/session', { idempotent: true }),
  firstRun: (body: FirstRunBody) => request(Anything, '/api/setup', { method: 'POST', body }),
  signIn: (email: string, password: string) => request(Anything, '/api/auth/sign-in/email', { method: 'POST', body: { email, password } }),
  signUp: (name: string, email: string, password: string) => request(Anything, '/api/auth/sign-up/email', { method: 'POST', body: { name, email, password } }),
  signOut: () => request(Anything, '/api/auth/sign-out', { method: 'POST', body: {} }),
  signOutEverywhere: () => request(Anything, '/api/auth/revoke-sessions', { method: 'POST', body: {} }),
  requestPasswordReset: (email: string) =>
    request(Anything, '/api/auth/request-password-reset', { method: 'POST', body: { email, redirectTo: '/reset-password' } }),
  resetPassword: (token: string, newPassword: string) => request(Anything, '/api/auth/reset-password', { method: 'POST', body: { token, newPassword } }),
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
