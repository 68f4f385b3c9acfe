import { Hono } from 'hono';
import type { AppEnv } from '../http/appEnv.ts';
import { workspaceSealingKey } from '../privacy/workspaceKey.ts';

/** The workspace's public sealing key, made on first use: what the tab seals privacy-mode values to. */
export const privacyRoutes = new Hono<AppEnv>().get('/key', async (c) =>
  c.json(await workspaceSealingKey(c.env.DB, c.env.ENCRYPTION_KEY, c.var.workspaceId, new Date().toISOString())),
);
