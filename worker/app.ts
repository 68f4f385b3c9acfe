import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { DomainError } from './domainError.ts';
import { errorBody } from './http/apiError.ts';
import type { AppEnv } from './http/appEnv.ts';
import { statusOf } from './http/errorStatus.ts';
import { bodyLimits } from './http/bodyLimits.ts';
import { originGuard } from './http/originGuard.ts';
import { securityHeaders } from './http/securityHeaders.ts';
import { resolveWorkspace } from './http/workspace.ts';
import { audiencesRoutes } from './routes/audiences.ts';
import { betterAuthRoutes, sessionRoutes } from './routes/auth.ts';
import { connectionsRoutes } from './routes/connections.ts';
import { engagementRoutes, memberEngagementRoutes } from './routes/engagement.ts';
import { exportSettingsRoutes } from './routes/exportSettings.ts';
import { fieldsRoutes } from './routes/fields.ts';
import { healthRoutes } from './routes/health.ts';
import { historyRoutes } from './routes/history.ts';
import { importsRoutes } from './routes/imports.ts';
import { membersRoutes } from './routes/members.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { pushesRoutes } from './routes/pushes.ts';
import { syncsRoutes } from './routes/syncs.ts';
import { templatesRoutes } from './routes/templates.ts';
import { tokensRoutes } from './routes/tokens.ts';
import { workspacesRoutes } from './routes/workspaces.ts';
import { workspaceSettingsRoutes } from './routes/workspaceSettings.ts';

const app = new Hono<AppEnv>();

// Outermost, so refusals and errors carry the headers too.
app.use('*', securityHeaders);
app.use('/api/*', originGuard);
app.use('/api/*', bodyLimits);
app.use('/api/*', resolveWorkspace);

/** Whatever was thrown, as the error the client reads; anything unexpected is logged and said in general words. */
function asDomainError(err: Error): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof HTTPException) {
    // Raised by hono itself, e.g. a body that is not JSON.
    const code = err.status === 413 ? 'payload_too_large' : err.status === 401 ? 'unauthorized' : err.status < 500 ? 'validation_failed' : 'internal';
    return new DomainError(code, err.message);
  }
  console.error('unhandled error', err);
  return new DomainError('internal', 'something went wrong on our side; try again');
}

/** A refusal that says when to come back (details.retryAfterSeconds) also says it the HTTP way. */
function retryAfterOf(error: DomainError): number | null {
  const details: unknown = error.details;
  if (error.code !== 'rate_limited' || typeof details !== 'object' || details === null || !('retryAfterSeconds' in details)) return null;
  return typeof details.retryAfterSeconds === 'number' ? Math.max(1, Math.ceil(details.retryAfterSeconds)) : null;
}

// Every failure leaves as `{ error: { code, message, details } }` (shared/schema/errors.ts), with the status the
// one table (http/errorStatus.ts) gives its code.
app.onError((err, c) => {
  const error = asDomainError(err);
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== null) c.header('retry-after', String(retryAfter));
  return c.json(errorBody(error.code, error.message, error.details), statusOf(error));
});

app.notFound((c) => {
  const error = new DomainError('not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  return c.json(errorBody(error.code, error.message), statusOf(error));
});

const routes = app
  .route('/api/health', healthRoutes)
  .route('/api/auth', betterAuthRoutes)
  .route('/api', sessionRoutes)
  .route('/api/workspaces', workspacesRoutes)
  .route('/api/workspace', workspaceSettingsRoutes)
  .route('/api/members', membersRoutes)
  .route('/api/tokens', tokensRoutes)
  .route('/api/fields', fieldsRoutes)
  .route('/api/audiences', audiencesRoutes)
  .route('/api/templates', templatesRoutes)
  .route('/api/imports', importsRoutes)
  .route('/api/connections', connectionsRoutes)
  .route('/api/connections', exportSettingsRoutes)
  .route('/api/syncs', syncsRoutes)
  .route('/api/engagement', engagementRoutes)
  .route('/api/audiences', memberEngagementRoutes)
  .route('/api/pushes', pushesRoutes)
  .route('/api/privacy', privacyRoutes)
  .route('/api/history', historyRoutes);

/** The API's route types, for a typed client (`hc<AppType>`). */
export type AppType = typeof routes;
export default app;
