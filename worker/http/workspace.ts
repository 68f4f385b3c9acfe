import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './appEnv.ts';

/**
 * The one place that decides which workspace a request acts for. Every query filters on the id it sets; when
 * authentication arrives it replaces this middleware and nothing else changes.
 */
export const resolveWorkspace = createMiddleware<AppEnv>(async (c, next) => {
  c.set('workspaceId', 'default');
  await next();
});
