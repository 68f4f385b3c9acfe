import { describe, expect, it } from 'vitest';
import type { Role } from '../../shared/schema/auth.ts';
import app from '../../worker/app.ts';
import { BROWSER_NAVIGATIONS, ROUTE_ACCESS, routeKey } from '../../worker/auth/routeRoles.ts';
import { callAs, fetchAs } from './support/api.ts';

// Every /api route registered in the Hono app, enumerated from the app itself: a new route without a line in
// ROUTE_ACCESS fails the first test, and each of the others is exercised below without being listed by hand.
const registered = [
  ...new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/')).map((r) => routeKey(r.method, r.path))),
];
const ROLES: Role[] = ['admin', 'keyContact', 'marketer', 'viewer'];

/** A concrete path for a pattern: placeholders become ids that exist nowhere. */
const concrete = (pattern: string) => pattern.replace(/:[a-z]+/gi, 'no-such-id').replace('*', 'anything');

function split(key: string): [string, string] {
  const space = key.indexOf(' ');
  return [key.slice(0, space), key.slice(space + 1)];
}

describe('the route-role table', () => {
  it('has an entry for every registered /api route, and none for a route that does not exist', () => {
    expect(registered.length).toBeGreaterThan(30);
    expect(registered.filter((key) => !(key in ROUTE_ACCESS))).toEqual([]);
    expect(Object.keys(ROUTE_ACCESS).filter((key) => !registered.includes(key))).toEqual([]);
  });

  const guarded = registered.filter((key) => ROUTE_ACCESS[key] !== 'public');

  it.each(guarded.filter((key) => !BROWSER_NAVIGATIONS.has(key)))('%s refuses an anonymous request with 401 JSON', async (key) => {
    const [method, pattern] = split(key);
    const answer = await callAs<{ error: { code: string } }>('anonymous', method, concrete(pattern), method === 'GET' || method === 'DELETE' ? undefined : {});
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('unauthorized');
  });

  // A browser lands on these by navigation (a CRM's redirect back): signed out, it is sent to sign in and back.
  it.each([...BROWSER_NAVIGATIONS])('%s sends a signed-out browser to sign in, and back here afterwards', async (key) => {
    expect(registered).toContain(key);
    const path = `${concrete(split(key)[1])}?state=abc&code=xyz`;
    const answer = await fetchAs('anonymous', path, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location') ?? '', 'http://app.test');
    expect(location.pathname).toBe('/sign-in');
    expect(location.searchParams.get('next')).toBe(path);
  });

  it.each(guarded)('%s refuses exactly the roles it does not list, with 403', async (key) => {
    const [method, pattern] = split(key);
    const access = ROUTE_ACCESS[key];
    for (const role of ROLES) {
      const answer = await callAs<{ error?: { code: string } }>(role, method, concrete(pattern), method === 'GET' || method === 'DELETE' ? undefined : {});
      const allowed = access === 'signedIn' || (Array.isArray(access) && access.includes(role));
      if (allowed) expect([401, 403], `${role} on ${key}`).not.toContain(answer.status);
      else expect({ role, status: answer.status, code: answer.body.error?.code }).toEqual({ role, status: 403, code: 'forbidden' });
    }
  });

  it('keeps integrations, members and tokens to admins and the key contact', () => {
    const managersOnly = [
      'POST /api/connections/:crm/authorize',
      'POST /api/connections/:id/reconnect',
      'POST /api/connections/:id/disable',
      'POST /api/connections/:id/enable',
      'POST /api/connections/:id/remove-access',
      'PUT /api/connections/:id/configs/:name',
      'POST /api/connections/:id/configs/:name/impact',
      'POST /api/syncs/:id/impact',
      'POST /api/members/invitations',
      'PUT /api/members/:id/role',
      'POST /api/tokens',
    ];
    for (const key of managersOnly) expect(ROUTE_ACCESS[key], key).toEqual(['admin', 'keyContact']);
    expect(ROUTE_ACCESS['POST /api/connections/:id/objects/:name/pull']).toContain('marketer');
    expect(ROUTE_ACCESS['POST /api/imports']).not.toContain('viewer');
  });
});
