import { Hono } from 'hono';
import { CreateFieldBody } from '../../shared/schema/fields.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody } from '../http/validate.ts';
import { createField, listFields } from '../store/fields.ts';

export const fieldsRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await listFields(c.env.DB, c.var.workspaceId)))
  .post('/', jsonBody(CreateFieldBody), async (c) => {
    const field = await createField(c.env.DB, c.var.workspaceId, c.req.valid('json'), new Date().toISOString());
    return c.json(field, 201);
  });
