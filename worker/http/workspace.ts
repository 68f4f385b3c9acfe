import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import { isApiToken, principalOfToken } from '../auth/apiTokens.ts';
import { authFor } from '../auth/createAuth.ts';
import { clientIp, count, exhausted, RATE_RULES, tooManyRequests } from '../auth/rateLimits.ts';
import { activeSeat, seatsOf } from '../auth/principal.ts';
import { BROWSER_NAVIGATIONS, ROUTE_ACCESS, type RouteAccess, routeKey, signInAndBack } from '../auth/routeRoles.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from './appEnv.ts';

/** The route that will answer: the first matched handler that is not a middleware (`use` registers ALL). */
function endpointOf(c: Context<AppEnv>): string | null {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
  return route ? routeKey(route.method, route.path) : null;
}

function bearerOf(c: Context<AppEnv>): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  return match?.[1] ?? null;
}

const unauthorized = () => new DomainError('unauthorized', 'sign in first (or send an API token as Authorization: Bearer …)');

/**
 * The one place that decides which workspace a request acts for, and whether it may: the workspace comes from
 * the session (the one the user switched to) or from the API token, never from the body or the URL; the role
 * of that seat must be one ROUTE_ACCESS allows for the matched route. Every query filters on the id set here.
 */
export const resolveWorkspace = createMiddleware<AppEnv>(async (c, next) => {
  const endpoint = endpointOf(c);
  const access: RouteAccess | undefined = endpoint ? ROUTE_ACCESS[endpoint] : undefined;
  if (access === 'public') return next();

  const bearer = bearerOf(c);
  if (bearer && isApiToken(bearer)) {
    const ip = clientIp(c.req.raw);
    const blocked = await exhausted(c.env.DB, RATE_RULES.tokenFailuresPerIp, ip);
    if (blocked) return tooManyRequests(c, blocked);
    const principal = await principalOfToken(c.env.DB, bearer);
    if (!principal) {
      await count(c.env.DB, RATE_RULES.tokenFailuresPerIp, ip);
      throw unauthorized();
    }
    // Tokens are for the data API: they never accept invitations or make workspaces.
    if (!endpoint) return next();
    if (access === 'signedIn' || !access?.includes(principal.role)) throw forbidden(endpoint);
    c.set('workspaceId', principal.workspaceId);
    c.set('role', principal.role);
    c.set('userId', null);
    c.set('apiTokenId', principal.tokenId);
    return next();
  }

  const session = await authFor(c.env).api.getSession({ headers: c.req.raw.headers });
  if (!session && endpoint && BROWSER_NAVIGATIONS.has(endpoint)) return c.redirect(signInAndBack(c.req.url), 302);
  if (!session) throw unauthorized();
  c.set('userId', session.user.id);
  c.set('apiTokenId', null);
  // An unknown path answers 404 to a signed-in caller, not 403.
  if (!endpoint) return next();
  if (access === 'signedIn') return next();
  const seat = activeSeat(await seatsOf(c.env.DB, session.user.id), session.session.activeOrganizationId);
  if (!seat) throw new DomainError('forbidden', 'you are not a member of any workspace yet: accept an invitation or create one');
  if (!access?.includes(seat.role)) throw forbidden(endpoint);
  c.set('workspaceId', seat.workspaceId);
  c.set('role', seat.role);
  return next();
});

function forbidden(endpoint: string): DomainError {
  const access = ROUTE_ACCESS[endpoint];
  const who = Array.isArray(access) ? ` (allowed: ${access.join(', ')})` : '';
  return new DomainError('forbidden', `your role may not do this: ${endpoint}${who}`);
}
