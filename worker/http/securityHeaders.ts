import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './appEnv.ts';
import { API_HEADERS } from './securityPolicy.ts';

/** Sets API_HEADERS on every answer of the Worker, errors and 404s included (they pass through here after onError). */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(API_HEADERS)) c.res.headers.set(name, value);
});
