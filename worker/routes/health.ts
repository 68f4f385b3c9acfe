import { Hono } from 'hono';
import type { AppEnv } from '../http/appEnv.ts';

/** Answers once the Worker and its D1 both work: `npm start` and the browser tests wait for it. */
export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  // Public (no session, so no workspace): it only says the schema is there.
  const row = await c.env.DB.prepare('SELECT count(*) AS n FROM workspaces').first<{ n: number }>();
  return c.json({ ok: true, workspaces: row?.n ?? 0 });
});
