import { Hono } from 'hono';
import { z } from 'zod';
import { SaveTemplateBody, type MappingTemplate } from '../../shared/schema/mapping.ts';
import { changeBy, recordChange } from '../history/recordChange.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, queryOf } from '../http/validate.ts';
import { getTemplate, listTemplates, saveTemplate } from '../store/mappingTemplates.ts';

/** A template as its history shows it: the name and the mapping (the signature is the header list, not a setting). */
const templateState = (t: Pick<MappingTemplate, 'name' | 'mapping'>) => ({ name: t.name, mapping: t.mapping });

export const templatesRoutes = new Hono<AppEnv>()
  .get('/', queryOf(z.object({ signature: z.string().min(1).max(20_000).optional() })), async (c) =>
    c.json(await listTemplates(c.env.DB, c.var.workspaceId, c.req.valid('query').signature)),
  )
  .put('/', jsonBody(SaveTemplateBody), async (c) => {
    const db = c.env.DB;
    const body = c.req.valid('json');
    const [before] = await listTemplates(db, c.var.workspaceId, body.signature);
    const saved = await saveTemplate(db, c.var.workspaceId, body, new Date().toISOString());
    // After the upsert (its RETURNING gives the id a new template gets); saving the same mapping again is no change.
    if (!before || JSON.stringify(templateState(before)) !== JSON.stringify(templateState(saved))) {
      await recordChange(
        db,
        await changeBy(c, {
          subject: { kind: 'mapping_template', id: saved.id, label: saved.name },
          action: before ? 'updated' : 'created',
          before: before ? templateState(before) : null,
          after: templateState(saved),
        }),
      );
    }
    return c.json(saved);
  })
  .get('/:id', async (c) => c.json(await getTemplate(c.env.DB, c.var.workspaceId, c.req.param('id'))));
