import { Hono } from 'hono';
import { ChangeRoleBody, HandOverKeyContactBody, InviteBody } from '../../shared/schema/auth.ts';
import { sendMail } from '../auth/outbox.ts';
import {
  cancelInvitation,
  changeRole,
  createInvitation,
  handOverKeyContact,
  listInvitations,
  listMembers,
  removeMember,
} from '../auth/workspaceStore.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody } from '../http/validate.ts';
import { memberSeat, recordInvitation, recordSeatChange } from '../history/accessChanges.ts';

/** Members of the session's workspace and invitations into it (who may call what: worker/auth/routeRoles.ts). */
export const membersRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listMembers(c.env.DB, c.var.workspaceId)))
  .get('/invitations', async (c) => c.json(await listInvitations(c.env.DB, c.var.workspaceId)))
  .post('/invitations', jsonBody(InviteBody), async (c) => {
    const inviter = c.var.userId;
    if (!inviter) throw new DomainError('forbidden', 'invitations are sent by a person, not by an API token');
    const { email, role } = c.req.valid('json');
    const invitation = await createInvitation(c.env.DB, c.var.workspaceId, inviter, email, role);
    await recordInvitation(c, invitation, 'invited');
    const link = new URL(`/invite/${invitation.id}`, c.req.url).toString();
    await sendMail(c.env, { to: email, subject: 'You are invited to Audience import', text: `Open this link to join as ${role}: ${link}`, link });
    return c.json(invitation, 201);
  })
  .delete('/invitations/:id', async (c) => {
    const invitation = (await listInvitations(c.env.DB, c.var.workspaceId)).find((i) => i.id === c.req.param('id'));
    await cancelInvitation(c.env.DB, c.var.workspaceId, c.req.param('id'));
    if (invitation) await recordInvitation(c, invitation, 'invitation_cancelled');
    return c.body(null, 204);
  })
  .put('/key-contact', jsonBody(HandOverKeyContactBody), async (c) => {
    const seat = await memberSeat(c, c.req.valid('json').memberId);
    await handOverKeyContact(c.env.DB, c.var.workspaceId, c.req.valid('json').memberId);
    if (seat?.role !== 'keyContact') await recordSeatChange(c, seat, 'made_key_contact', { role: 'keyContact' });
    return c.json(await listMembers(c.env.DB, c.var.workspaceId));
  })
  .put('/:id/role', jsonBody(ChangeRoleBody), async (c) => {
    const seat = await memberSeat(c, c.req.param('id'));
    await changeRole(c.env.DB, c.var.workspaceId, c.req.param('id'), c.req.valid('json').role);
    if (seat?.role !== c.req.valid('json').role) await recordSeatChange(c, seat, 'role_changed', { role: c.req.valid('json').role });
    return c.json(await listMembers(c.env.DB, c.var.workspaceId));
  })
  .delete('/:id', async (c) => {
    const seat = await memberSeat(c, c.req.param('id'));
    await removeMember(c.env.DB, c.var.workspaceId, c.req.param('id'));
    await recordSeatChange(c, seat, 'removed', null);
    return c.body(null, 204);
  });
