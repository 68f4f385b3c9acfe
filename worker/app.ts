import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { DomainError } from './domainError.ts';
import { ApiError, errorBody } from './http/apiError.ts';
import type { AppEnv } from './http/appEnv.ts';
import { statusOf } from './http/errorStatus.ts';
import { resolveWorkspace } from './http/workspace.ts';
import { audiencesRoutes } from './routes/audiences.ts';
import { connectionsRoutes } from './routes/connections.ts';
import { fieldsRoutes } from './routes/fields.ts';
import { importsRoutes } from './routes/imports.ts';
import { templatesRoutes } from './routes/templates.ts';

const app = new Hono<AppEnv>();

app.use('/api/*', resolveWorkspace);

// Every failure leaves as `{ error: { code, message, details } }` (shared/schema/errors.ts).
app.onError((err, c) => {
  if (err instanceof DomainError) {
    // ApiError (deprecated, CRM connection routes only) still names its own status.
    const status = err instanceof ApiError ? err.status : statusOf(err);
    return c.json(errorBody(err.code, err.message, err.details), status);
  }
  if (err instanceof HTTPException) {
    // Raised by hono itself, e.g. a body that is not JSON.
    const status = err.status === 413 ? 413 : err.status < 500 ? 400 : 500;
    const code = status === 413 ? 'payload_too_large' : status === 400 ? 'validation_failed' : 'internal';
    return c.json(errorBody(code, err.message), status);
  }
  console.error('unhandled error', err);
  return c.json(errorBody('internal', 'something went wrong on our side; try again'), 500);
});

app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));

const routes = app
  .get('/api/health', async (c) => {
    const row = await c.env.DB.prepare('SELECT count(*) AS n FROM workspaces WHERE id = ?').bind(c.var.workspaceId).first<{ n: number }>();
    return c.json({ ok: true, workspaces: row?.n ?? 0 });
  })
  .route('/api/fields', fieldsRoutes)
  .route('/api/audiences', audiencesRoutes)
  .route('/api/templates', templatesRoutes)
  .route('/api/imports', importsRoutes)
  .route('/api/connections', connectionsRoutes);

/** The API's route types, for a typed client (`hc<AppType>`). */
export type AppType = typeof routes;
export default app;
