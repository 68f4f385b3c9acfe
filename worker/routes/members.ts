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

/** Members of the session's workspace and invitations into it (who may call what: worker/auth/routeRoles.ts). */
export const membersRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listMembers(c.env.DB, c.var.workspaceId)))
  .get('/invitations', async (c) => c.json(await listInvitations(c.env.DB, c.var.workspaceId)))
  .post('/invitations', jsonBody(InviteBody), async (c) => {
    const inviter = c.var.userId;
    if (!inviter) throw new DomainError('forbidden', 'invitations are sent by a person, not by an API token');
    const { email, role } = c.req.valid('json');
    const invitation = await createInvitation(c.env.DB, c.var.workspaceId, inviter, email, role);
    const link = new URL(`/invite/${invitation.id}`, c.req.url).toString();
    await sendMail(c.env, { to: email, subject: 'You are invited to Audience import', text: `Open this link to join as ${role}: ${link}`, link });
    return c.json(invitation, 201);
  })
  .delete('/invitations/:id', async (c) => {
    await cancelInvitation(c.env.DB, c.var.workspaceId, c.req.param('id'));
    return c.body(null, 204);
  })
  .put('/key-contact', jsonBody(HandOverKeyContactBody), async (c) => {
    await handOverKeyContact(c.env.DB, c.var.workspaceId, c.req.valid('json').memberId);
    return c.json(await listMembers(c.env.DB, c.var.workspaceId));
  })
  .put('/:id/role', jsonBody(ChangeRoleBody), async (c) => {
    await changeRole(c.env.DB, c.var.workspaceId, c.req.param('id'), c.req.valid('json').role);
    return c.json(await listMembers(c.env.DB, c.var.workspaceId));
  })
  .delete('/:id', async (c) => {
    await removeMember(c.env.DB, c.var.workspaceId, c.req.param('id'));
    return c.body(null, 204);
  });
