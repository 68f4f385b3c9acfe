import type { Context } from 'hono';
import type { Role } from '../../shared/schema/auth.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { changeBy, recordChange } from './recordChange.ts';

/**
 * History entries for who may do what (members, invitations, API tokens): one call per route after its change, so
 * the routes of worker/auth keep their own store functions. A member is named by name and email as they are now,
 * since a removed member's row is gone afterwards: callers read `memberSeat` before the change.
 */

export type MemberSeat = { id: string; label: string; role: Role };

export async function memberSeat(c: Context<AppEnv>, memberId: string): Promise<MemberSeat | null> {
  const row = await c.env.DB.prepare(
    `SELECT m.id, u.name, u.email, m.role FROM workspace_members m JOIN "user" u ON u.id = m."userId" WHERE m.id = ? AND m."organizationId" = ?`,
  )
    .bind(memberId, c.var.workspaceId)
    .first<{ id: string; name: string; email: string; role: Role }>();
  return row ? { id: row.id, label: `${row.name} <${row.email}>`, role: row.role } : null;
}

/** A seat's role changed, was removed (`after: null`), or became the key contact. */
export async function recordSeatChange(c: Context<AppEnv>, seat: MemberSeat | null, action: string, after: { role: Role } | null): Promise<void> {
  if (!seat) return;
  await recordChange(c.env.DB, await changeBy(c, { subject: { kind: 'member_role', id: seat.id, label: seat.label }, action, before: { role: seat.role }, after }));
}

/** An invitation sent (`before: null`) or cancelled (`after: null`). */
export async function recordInvitation(c: Context<AppEnv>, invitation: { id: string; email: string; role: Role }, action: 'invited' | 'invitation_cancelled'): Promise<void> {
  const state = { invited: invitation.email, role: invitation.role };
  await recordChange(
    c.env.DB,
    await changeBy(c, {
      subject: { kind: 'member_role', id: invitation.id, label: invitation.email },
      action,
      before: action === 'invited' ? null : state,
      after: action === 'invited' ? state : null,
    }),
  );
}

/** A token made or revoked: its name and role only, never the token, its hash or its hint. */
export async function recordTokenChange(c: Context<AppEnv>, tokenId: string, action: 'created' | 'revoked'): Promise<void> {
  const token = await c.env.DB.prepare('SELECT name, role FROM api_tokens WHERE id = ? AND workspace_id = ?')
    .bind(tokenId, c.var.workspaceId)
    .first<{ name: string; role: Role }>();
  if (!token) return;
  const state = { name: token.name, role: token.role, status: action === 'created' ? 'active' : 'revoked' };
  await recordChange(
    c.env.DB,
    await changeBy(c, {
      subject: { kind: 'api_token', id: tokenId, label: token.name },
      action,
      before: action === 'created' ? null : { ...state, status: 'active' },
      after: state,
    }),
  );
}
