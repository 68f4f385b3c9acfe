import { createMiddleware } from 'hono/factory';
import { DomainError } from '../domainError.ts';
import { readAllowedOrigins } from './allowedOrigins.ts';
import type { AppEnv } from './appEnv.ts';

const JSON_CONTENT_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses what a page of another site can make a browser send:
 * - any request for a Host that is not ours (DNS rebinding: a foreign name resolving to this server);
 * - a state-changing request whose `Origin` is not ours (or, without one, whose `Sec-Fetch-Site` says cross-site);
 * - a POST without a JSON content type, body-less ones included: a form or a no-cors fetch can POST across sites
 *   without a CORS preflight only with a form or text/plain content type or none. PUT, PATCH and DELETE always need
 *   a preflight, which this API never grants.
 * GETs from other sites stay possible (the CRMs' OAuth callbacks are cross-site redirects); they change nothing
 * a `state` does not guard, and the answer is unreadable to the other site without CORS.
 */
export const originGuard = createMiddleware<AppEnv>(async (c, next) => {
  const allowed = readAllowedOrigins(c.env.ALLOWED_ORIGINS);
  const urlHost = new URL(c.req.url).host;
  const hostHeader = c.req.header('host');
  for (const host of hostHeader === undefined ? [urlHost] : [urlHost, hostHeader]) {
    if (!allowed.hosts.has(host)) {
      throw new DomainError('forbidden_origin', `this server does not answer for the host "${host}"`, { host });
    }
  }
  if (!SAFE_METHODS.has(c.req.method)) {
    const origin = c.req.header('origin');
    if (origin !== undefined && !allowed.origins.has(origin)) {
      throw new DomainError('forbidden_origin', `requests from ${origin} are not accepted`, { origin });
    }
    const site = c.req.header('sec-fetch-site');
    if (origin === undefined && (site === 'cross-site' || site === 'same-site')) {
      throw new DomainError('forbidden_origin', 'requests from another site are not accepted', { secFetchSite: site });
    }
    if (c.req.method === 'POST' && !JSON_CONTENT_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new DomainError('unsupported_media_type', 'send POST requests with content-type: application/json, even without a body');
    }
  }
  await next();
});
