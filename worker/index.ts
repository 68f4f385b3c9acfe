import { Hono } from 'hono';
const app = new Hono<{ Bindings: Env }>();
app.get('/api/health', async (c) => {
  const row = await c.env.DB.prepare('SELECT count(*) AS n FROM workspaces').first<{ n: number }>();
  return c.json({ ok: true, workspaces: row?.n ?? 0 });
});
export default app;
