import { Hono } from 'hono';
import { z } from 'zod';
import { SaveTemplateBody } from '../../shared/schema/mapping.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, queryOf } from '../http/validate.ts';
import { getTemplate, listTemplates, saveTemplate } from '../store/mappingTemplates.ts';

export const templatesRoutes = new Hono<AppEnv>()
  .get('/', queryOf(z.object({ signature: z.string().min(1).max(20_000).optional() })), async (c) =>
    c.json(await listTemplates(c.env.DB, c.var.workspaceId, c.req.valid('query').signature)),
  )
  .put('/', jsonBody(SaveTemplateBody), async (c) =>
    c.json(await saveTemplate(c.env.DB, c.var.workspaceId, c.req.valid('json'), new Date().toISOString())),
  )
  .get('/:id', async (c) => c.json(await getTemplate(c.env.DB, c.var.workspaceId, c.req.param('id'))));
