import { Hono } from 'hono';
import { z } from 'zod';
import { CreateAudienceBody, type MemberPage } from '../../shared/schema/audiences.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, queryOf } from '../http/validate.ts';
import { createAudience, getAudience, listAudiences } from '../store/audiences.ts';
import { membersPage } from '../store/members.ts';

const MembersQuery = z.object({
  /** Opaque: the nextCursor of the previous page. */
  cursor: z.string().regex(/^\d{1,15}$/, 'not a cursor from this API').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const audiencesRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listAudiences(c.env.DB, c.var.workspaceId)))
  .post('/', jsonBody(CreateAudienceBody), async (c) => {
    const audience = await createAudience(c.env.DB, c.var.workspaceId, c.req.valid('json').name, new Date().toISOString());
    return c.json(audience, 201);
  })
  .get('/:id', async (c) => c.json(await getAudience(c.env.DB, c.var.workspaceId, c.req.param('id'))))
  .get('/:id/members', queryOf(MembersQuery), async (c) => {
    const { cursor, limit } = c.req.valid('query');
    const audience = await getAudience(c.env.DB, c.var.workspaceId, c.req.param('id'));
    const page = await membersPage(c.env.DB, c.var.workspaceId, audience.id, Number(cursor ?? 0), limit);
    const body: MemberPage = {
      members: page.members,
      nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      total: audience.memberCount,
    };
    return c.json(body);
  });
