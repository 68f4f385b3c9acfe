import { Hono } from 'hono';
import { ChangeHistoryQuery } from '../../shared/schema/history.ts';
import { listChanges } from '../history/changeHistory.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { queryOf } from '../http/validate.ts';

/** The workspace's change history (who may read it: worker/auth/routeRoles.ts); an integration's own is /api/connections/:id/history. */
export const historyRoutes = new Hono<AppEnv>().get('/', queryOf(ChangeHistoryQuery), async (c) => c.json(await listChanges(c.env.DB, c.var.workspaceId, c.req.valid('query'))));
