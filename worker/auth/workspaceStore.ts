import type { Invitation, Member, Role } from '../../shared/schema/auth.ts';
import { DomainError } from '../domainError.ts';

const INVITATION_DAYS = 7;

export async function userCount(db: D1Database): Promise<number> {
  return (await db.prepare('SELECT count(*) AS n FROM "user"').first<{ n: number }>())?.n ?? 0;
}

/**
 * A workspace for a first admin: the seeded 'default' one while nobody belongs to it (so data imported before
 * accounts existed stays with the person who sets the tool up), else a new one.
 */
export async function createWorkspaceFor(db: D1Database, userId: string, name: string, claimDefault: boolean): Promise<string> {
  const now = new Date().toISOString();
  if (claimDefault) {
    const unclaimed = await db
      .prepare(`SELECT id FROM workspaces WHERE id = 'default' AND NOT EXISTS (SELECT 1 FROM workspace_members WHERE "organizationId" = 'default')`)
      .first<{ id: string }>();
    if (unclaimed) {
      await db.batch([
        db.prepare(`UPDATE workspaces SET name = ? WHERE id = 'default'`).bind(name),
        insertMember(db, 'default', userId, 'keyContact', now),
      ]);
      return 'default';
    }
  }
  const id = crypto.randomUUID();
  await db.batch([
    db.prepare('INSERT INTO workspaces (id, name, slug, created_at) VALUES (?, ?, ?, ?)').bind(id, name, id, now),
    insertMember(db, id, userId, 'keyContact', now),
  ]);
  return id;
}

function insertMember(db: D1Database, workspaceId: string, userId: string, role: Role, now: string): D1PreparedStatement {
  return db
    .prepare(`INSERT INTO workspace_members (id, "organizationId", "userId", role, "createdAt") VALUES (?, ?, ?, ?, ?)`)
    .bind(crypto.randomUUID(), workspaceId, userId, role, now);
}

export async function setActiveWorkspace(db: D1Database, sessionId: string, workspaceId: string): Promise<void> {
  await db.prepare(`UPDATE "session" SET "activeOrganizationId" = ? WHERE id = ?`).bind(workspaceId, sessionId).run();
}

type MemberRow = { id: string; userId: string; name: string; email: string; role: Role; createdAt: string };

export async function listMembers(db: D1Database, workspaceId: string): Promise<Member[]> {
  const { results } = await db
    .prepare(
      `SELECT m.id, m."userId" AS userId, u.name, u.email, m.role, m."createdAt" AS createdAt
       FROM workspace_members m JOIN "user" u ON u.id = m."userId" WHERE m."organizationId" = ? ORDER BY m."createdAt"`,
    )
    .bind(workspaceId)
    .all<MemberRow>();
  return results.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() }));
}

async function memberOrThrow(db: D1Database, workspaceId: string, memberId: string): Promise<MemberRow> {
  const row = await db
    .prepare(`SELECT m.id, m."userId" AS userId, m.role FROM workspace_members m WHERE m.id = ? AND m."organizationId" = ?`)
    .bind(memberId, workspaceId)
    .first<MemberRow>();
  if (!row) throw new DomainError('not_found', 'no such member in this workspace');
  return row;
}

const KEY_CONTACT_STAYS = 'the key contact keeps that role until an admin hands it over to another member';

export async function changeRole(db: D1Database, workspaceId: string, memberId: string, role: Exclude<Role, 'keyContact'>): Promise<void> {
  const member = await memberOrThrow(db, workspaceId, memberId);
  if (member.role === 'keyContact') throw new DomainError('conflict', KEY_CONTACT_STAYS);
  await db.prepare('UPDATE workspace_members SET role = ? WHERE id = ? AND "organizationId" = ?').bind(role, memberId, workspaceId).run();
}

export async function removeMember(db: D1Database, workspaceId: string, memberId: string): Promise<void> {
  const member = await memberOrThrow(db, workspaceId, memberId);
  if (member.role === 'keyContact') throw new DomainError('conflict', KEY_CONTACT_STAYS);
  await db.batch([
    db.prepare('DELETE FROM workspace_members WHERE id = ? AND "organizationId" = ?').bind(memberId, workspaceId),
    // Sessions acting for this workspace fall back to another seat on the next request (worker/http/workspace.ts).
    db.prepare(`UPDATE "session" SET "activeOrganizationId" = NULL WHERE "userId" = ? AND "activeOrganizationId" = ?`).bind(member.userId, workspaceId),
  ]);
}

/** Exactly one key contact: the old one becomes an admin in the same transaction (and a unique index guards it). */
export async function handOverKeyContact(db: D1Database, workspaceId: string, memberId: string): Promise<void> {
  await memberOrThrow(db, workspaceId, memberId);
  await db.batch([
    db.prepare(`UPDATE workspace_members SET role = 'admin' WHERE "organizationId" = ? AND role = 'keyContact' AND id <> ?`).bind(workspaceId, memberId),
    db.prepare(`UPDATE workspace_members SET role = 'keyContact' WHERE "organizationId" = ? AND id = ?`).bind(workspaceId, memberId),
  ]);
}

type InvitationRow = { id: string; email: string; role: Role; status: string; expiresAt: string };

export async function createInvitation(db: D1Database, workspaceId: string, inviterId: string, email: string, role: Role): Promise<Invitation> {
  const member = await db
    .prepare(`SELECT 1 AS x FROM workspace_members m JOIN "user" u ON u.id = m."userId" WHERE m."organizationId" = ? AND u.email = ?`)
    .bind(workspaceId, email)
    .first();
  if (member) throw new DomainError('conflict', `${email} is already a member of this workspace`);
  const now = new Date();
  const invitation: Invitation = {
    id: crypto.randomUUID(),
    email,
    role,
    status: 'pending',
    expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000).toISOString(),
  };
  await db
    .prepare(
      `INSERT INTO workspace_invitations (id, "organizationId", email, role, status, "expiresAt", "createdAt", "inviterId") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(invitation.id, workspaceId, email, role, invitation.status, invitation.expiresAt, now.toISOString(), inviterId)
    .run();
  return invitation;
}

export async function listInvitations(db: D1Database, workspaceId: string): Promise<Invitation[]> {
  const { results } = await db
    .prepare(`SELECT id, email, role, status, "expiresAt" AS expiresAt FROM workspace_invitations WHERE "organizationId" = ? AND status = 'pending' ORDER BY "createdAt" DESC`)
    .bind(workspaceId)
    .all<InvitationRow>();
  return results;
}

export async function cancelInvitation(db: D1Database, workspaceId: string, id: string): Promise<void> {
  const done = await db
    .prepare(`UPDATE workspace_invitations SET status = 'canceled' WHERE id = ? AND "organizationId" = ? AND status = 'pending'`)
    .bind(id, workspaceId)
    .run();
  if (!done.meta.changes) throw new DomainError('not_found', 'no such pending invitation in this workspace');
}

export async function getInvitation(db: D1Database, id: string): Promise<(InvitationRow & { workspaceId: string; workspaceName: string }) | null> {
  return db
    .prepare(
      `SELECT i.id, i.email, i.role, i.status, i."expiresAt" AS expiresAt, i."organizationId" AS workspaceId, w.name AS workspaceName
       FROM workspace_invitations i JOIN workspaces w ON w.id = i."organizationId" WHERE i.id = ?`,
    )
    .bind(id)
    .first();
}

/** A seat is given to a confirmed address only: an unconfirmed one may be anybody's (a typo, or someone else's). */
const UNVERIFIED = 'confirm your email address first: open the link in the mail we sent you, then try again';

/** Accepting is for the invited address only, once confirmed; the seat and the invitation's end are one transaction. */
export async function acceptInvitation(db: D1Database, id: string, user: { id: string; email: string; emailVerified: boolean }): Promise<string> {
  if (!user.emailVerified) throw new DomainError('forbidden', UNVERIFIED);
  const invitation = await getInvitation(db, id);
  if (!invitation || invitation.status !== 'pending') throw new DomainError('not_found', 'this invitation does not exist or was already used');
  if (new Date(invitation.expiresAt).getTime() < Date.now()) throw new DomainError('conflict', 'this invitation has expired: ask for a new one');
  if (invitation.email.toLowerCase() !== user.email.toLowerCase()) {
    throw new DomainError('forbidden', `this invitation is for ${invitation.email}: sign in with that address`);
  }
  const now = new Date().toISOString();
  await db.batch([
    db
      .prepare(
        `INSERT INTO workspace_members (id, "organizationId", "userId", role, "createdAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("userId", "organizationId") DO NOTHING`,
      )
      .bind(crypto.randomUUID(), invitation.workspaceId, user.id, invitation.role === 'keyContact' ? 'admin' : invitation.role, now),
    db.prepare(`UPDATE workspace_invitations SET status = 'accepted' WHERE id = ?`).bind(id),
  ]);
  return invitation.workspaceId;
}

/**
 * Every pending, unexpired invitation to this address, accepted at once: what a single sign-on gives, and only
 * for an address the identity provider vouches for. Answers the workspaces joined.
 */
export async function acceptInvitationsForEmail(db: D1Database, user: { id: string; email: string; emailVerified: boolean }): Promise<string[]> {
  if (!user.emailVerified) return [];
  const { results } = await db
    .prepare(`SELECT id FROM workspace_invitations WHERE lower(email) = lower(?) AND status = 'pending' AND "expiresAt" > ? ORDER BY "createdAt"`)
    .bind(user.email, new Date().toISOString())
    .all<{ id: string }>();
  const joined: string[] = [];
  for (const { id } of results) joined.push(await acceptInvitation(db, id, user));
  return joined;
}

export { UNVERIFIED as UNVERIFIED_EMAIL };

/** Whether the user can sign in with a password here (not only through an identity provider). */
export async function hasPassword(db: D1Database, userId: string): Promise<boolean> {
  return (await db.prepare(`SELECT 1 AS x FROM "account" WHERE "userId" = ? AND "providerId" = 'credential'`).bind(userId).first()) !== null;
}
