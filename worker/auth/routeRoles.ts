import { MANAGERS, READERS, type Role, WRITERS } from './roles.ts';

/**
 * `public`: no session needed (the auth endpoints themselves, health, first run); `signedIn`: a session but no
 * seat in a workspace (accepting an invitation, making a workspace); otherwise the roles allowed.
 */
export type RouteAccess = 'public' | 'signedIn' | readonly Role[];

/**
 * The one table of who may call what, keyed `METHOD /path/:pattern` exactly as the route is registered in the Hono
 * app. A route with no entry is refused to everyone (and test/worker/authRoutes.test.ts fails), so a new route
 * cannot be forgotten: add one line here.
 */
export const ROUTE_ACCESS: Record<string, RouteAccess> = {
  'GET /api/health': 'public',
  'GET /api/auth/callback/:provider': 'public',
  'GET /api/auth/*': 'public',
  'POST /api/auth/*': 'public',
  'GET /api/setup': 'public',
  'POST /api/setup': 'public',
  'GET /api/outbox': 'public',

  'GET /api/session': 'public',
  'GET /api/invitations/:id': 'public',
  'POST /api/invitations/:id/accept': 'signedIn',
  'GET /api/workspaces': 'signedIn',
  'POST /api/workspaces': 'signedIn',
  'PUT /api/workspaces/active': 'signedIn',
  // The workspace's own settings (the privacy default of new file audiences): every seat reads them, since the
  // import page pre-selects by them; admins and the key contact change them.
  'GET /api/workspace/settings': READERS,
  'PUT /api/workspace/settings': MANAGERS,

  'GET /api/members': READERS,
  'POST /api/members/invitations': MANAGERS,
  'GET /api/members/invitations': MANAGERS,
  'DELETE /api/members/invitations/:id': MANAGERS,
  'PUT /api/members/:id/role': MANAGERS,
  'DELETE /api/members/:id': MANAGERS,
  'PUT /api/members/key-contact': MANAGERS,

  'GET /api/tokens': MANAGERS,
  'POST /api/tokens': MANAGERS,
  'DELETE /api/tokens/:id': MANAGERS,

  'GET /api/fields': READERS,
  'POST /api/fields': WRITERS,

  'GET /api/audiences': READERS,
  'POST /api/audiences': WRITERS,
  'GET /api/audiences/:id': READERS,
  'GET /api/audiences/:id/members': READERS,
  'POST /api/audiences/dry-runs': WRITERS,
  'GET /api/audiences/dry-runs/:dryRunId': WRITERS,
  'PUT /api/audiences/dry-runs/:dryRunId/batches/:seq': WRITERS,
  'PATCH /api/audiences/:id': WRITERS,
  'DELETE /api/audiences/:id': WRITERS,
  'DELETE /api/audiences/:id/members/:memberId': WRITERS,
  'GET /api/audiences/:id/imports': READERS,
  'POST /api/audiences/:id/imports/:importId/undo': WRITERS,
  'GET /api/audiences/:id/export.csv': READERS,
  // Public by nature (it only seals): every seat may read it, so a viewer's tab could seal too.
  'GET /api/privacy/key': READERS,

  'GET /api/templates': READERS,
  'PUT /api/templates': WRITERS,
  'GET /api/templates/:id': READERS,

  'POST /api/imports': WRITERS,
  'GET /api/imports/:id': READERS,
  'PUT /api/imports/:id/batches/:seq': WRITERS,
  'POST /api/imports/:id/finish': WRITERS,
  'GET /api/imports/:id/report': READERS,
  'GET /api/imports/:id/report.csv': READERS,

  'GET /api/connections': READERS,
  'POST /api/connections/:crm/authorize': MANAGERS,
  'GET /api/connections/:crm/callback': MANAGERS,
  'POST /api/connections/:crm/app': MANAGERS,
  'POST /api/connections/:id/reconnect': MANAGERS,
  'GET /api/connections/:id': READERS,
  'POST /api/connections/:id/disable': MANAGERS,
  'POST /api/connections/:id/enable': MANAGERS,
  'POST /api/connections/:id/remove-access': MANAGERS,
  'GET /api/connections/:id/objects': READERS,
  'GET /api/connections/:id/objects/:name/fields': READERS,
  'POST /api/connections/:id/objects/:name/preview': WRITERS,
  'POST /api/connections/:id/objects/:name/pull': WRITERS,
  'GET /api/connections/:id/configs': READERS,
  'GET /api/connections/:id/configs/:name': READERS,
  'PUT /api/connections/:id/configs/:name': MANAGERS,
  // Writing back to the CRM (issue 11): everyone reads the settings (the page is read-only for them), admins change them.
  'GET /api/connections/:id/export-settings': READERS,
  'PUT /api/connections/:id/export-settings': MANAGERS,
  'GET /api/connections/:id/crm-users': READERS,
  // Only those who may save a change preview it (the preview reads member counts across audiences).
  'POST /api/connections/:id/configs/:name/impact': MANAGERS,

  // Changing a sync changes an integration (admin, key contact); running one that exists is a marketer's job too.
  'GET /api/syncs': READERS,
  'POST /api/syncs': MANAGERS,
  'GET /api/syncs/:id': READERS,
  'PUT /api/syncs/:id': MANAGERS,
  // Deleting a sync: admins (the key contact is one too) only; its audience stays.
  'DELETE /api/syncs/:id': MANAGERS,
  'POST /api/syncs/:id/pause': MANAGERS,
  'POST /api/syncs/:id/resume': MANAGERS,
  'POST /api/syncs/:id/impact': MANAGERS,
  'POST /api/syncs/:id/runs': WRITERS,
  'GET /api/syncs/:id/runs': READERS,
  'GET /api/syncs/:id/runs/:runId': READERS,

  // The platform's campaign engine posts engagement with a token of a writing role; reading it is everyone's.
  'POST /api/engagement': WRITERS,
  'GET /api/audiences/:id/members/:memberId/engagement': READERS,

  // "Sync to CRM" on an integration an admin set up: a marketer's job, as running a sync is; the report is everyone's.
  'POST /api/pushes/preview': WRITERS,
  'POST /api/pushes': WRITERS,
  'GET /api/pushes/:id': READERS,
  'GET /api/pushes/:id/report': READERS,
  'GET /api/pushes/:id/report.csv': READERS,

  // The change history: managers, who make the changes, and marketers, whose audiences and syncs they ripple into
  // (a marketer must be able to see why an import now brings other attributes). Not viewers: entries name who
  // holds which role and token, which a read-only seat has no use for.
  'GET /api/history': WRITERS,
  'GET /api/connections/:id/history': WRITERS,
};

/**
 * Routes a browser lands on by navigation (a CRM's redirect back), not by the SPA's fetch: a browser whose session
 * has expired or is absent is sent to sign in and then back here, never shown a raw JSON 401.
 */
export const BROWSER_NAVIGATIONS: ReadonlySet<string> = new Set(['GET /api/connections/:crm/callback']);

/** The SPA's sign-in page, with where to go once signed in (a path of this origin). */
export const signInAndBack = (url: string): string => {
  const { pathname, search } = new URL(url);
  return `/sign-in?${new URLSearchParams({ next: `${pathname}${search}` })}`;
};

export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}
