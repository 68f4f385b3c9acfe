import { z } from 'zod';

/** What a member may do in a workspace; the rights of each are in worker/auth/routeRoles.ts. */
export const Role = z.enum(['admin', 'keyContact', 'marketer', 'viewer']);
export type Role = z.infer<typeof Role>;

const Email = z.string().trim().toLowerCase().pipe(z.email());
const Password = z.string().min(10, 'use at least 10 characters').max(200);

/** First run: the workspace and the person who administers it, created together while no user exists. */
export const FirstRunBody = z.object({
  workspaceName: z.string().trim().min(1).max(120),
  name: z.string().trim().min(1).max(120),
  email: Email,
  password: Password,
});
export type FirstRunBody = z.infer<typeof FirstRunBody>;

export const SetupState = z.object({ needed: z.boolean() });
export type SetupState = z.infer<typeof SetupState>;

export const WorkspaceSummary = z.object({ id: z.string(), name: z.string(), role: Role });
export type WorkspaceSummary = z.infer<typeof WorkspaceSummary>;

/** The identity providers a server can offer for single sign-on (worker/auth/singleSignOn.ts). */
export const SsoProvider = z.enum(['microsoft', 'salesforce']);
export type SsoProvider = z.infer<typeof SsoProvider>;

/** Who is signed in and for which workspace the API acts; `user: null` when nobody is. */
export const SessionInfo = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string(), emailVerified: z.boolean() }).nullable(),
  workspace: WorkspaceSummary.nullable(),
  workspaces: z.array(WorkspaceSummary),
  setupNeeded: z.boolean(),
  outbox: z.boolean(),
  /** The single sign-on buttons the sign-in page shows: the providers this server is set up for. */
  singleSignOn: z.array(SsoProvider),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SwitchWorkspaceBody = z.object({ workspaceId: z.string().min(1) });
export type SwitchWorkspaceBody = z.infer<typeof SwitchWorkspaceBody>;

export const CreateWorkspaceBody = z.object({ name: z.string().trim().min(1).max(120) });
export type CreateWorkspaceBody = z.infer<typeof CreateWorkspaceBody>;

export const Member = z.object({ id: z.string(), userId: z.string(), name: z.string(), email: z.string(), role: Role, createdAt: z.string() });
export type Member = z.infer<typeof Member>;

export const Invitation = z.object({ id: z.string(), email: z.string(), role: Role, status: z.string(), expiresAt: z.string() });
export type Invitation = z.infer<typeof Invitation>;

/** Key contact is handed over, not granted: see PUT /api/members/key-contact. */
export const InviteBody = z.object({ email: Email, role: Role.exclude(['keyContact']) });
export type InviteBody = z.infer<typeof InviteBody>;

export const ChangeRoleBody = z.object({ role: Role.exclude(['keyContact']) });
export type ChangeRoleBody = z.infer<typeof ChangeRoleBody>;

export const HandOverKeyContactBody = z.object({ memberId: z.string().min(1) });
export type HandOverKeyContactBody = z.infer<typeof HandOverKeyContactBody>;

export const InvitationView = z.object({ id: z.string(), email: z.string(), role: Role, workspaceName: z.string(), status: z.string(), expired: z.boolean() });
export type InvitationView = z.infer<typeof InvitationView>;

export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  hint: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const CreateTokenBody = z.object({ name: z.string().trim().min(1).max(120), role: Role.exclude(['keyContact']) });
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

/** The token itself is in this answer only: it is stored hashed. */
export const CreatedToken = ApiToken.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof CreatedToken>;

export const OutboxMail = z.object({ id: z.string(), to: z.string(), subject: z.string(), body: z.string(), link: z.string().nullable(), createdAt: z.string() });
export type OutboxMail = z.infer<typeof OutboxMail>;
