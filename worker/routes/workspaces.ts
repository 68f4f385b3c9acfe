import { Hono } from 'hono';
import { CreateWorkspaceBody, SwitchWorkspaceBody } from '../../shared/schema/auth.ts';
import { authFor } from '../auth/createAuth.ts';
import { seatsOf } from '../auth/principal.ts';
import { createWorkspaceFor, hasPassword, setActiveWorkspace, UNVERIFIED_EMAIL } from '../auth/workspaceStore.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody } from '../http/validate.ts';

async function sessionOf(c: { env: Env; req: { raw: Request } }) {
  const session = await authFor(c.env).api.getSession({ headers: c.req.raw.headers });
  if (!session) throw new DomainError('unauthorized', 'sign in first');
  return session;
}

/** The caller's own workspaces: list, make one (its key contact), switch the session to another. */
export const workspacesRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const session = await sessionOf(c);
    return c.json((await seatsOf(c.env.DB, session.user.id)).map((s) => ({ id: s.workspaceId, name: s.workspaceName, role: s.role })));
  })
  .post('/', jsonBody(CreateWorkspaceBody), async (c) => {
    const session = await sessionOf(c);
    if (!session.user.emailVerified) throw new DomainError('forbidden', UNVERIFIED_EMAIL);
    // Single sign-on admits people to the workspaces that invited them; anyone at Microsoft or Salesforce could
    // otherwise sign in and set up shop here.
    const seats = await seatsOf(c.env.DB, session.user.id);
    if (seats.length === 0 && !(await hasPassword(c.env.DB, session.user.id))) {
      throw new DomainError('forbidden', 'single sign-on opens the workspaces you are invited to: ask an admin of yours for an invitation');
    }
    const id = await createWorkspaceFor(c.env.DB, session.user.id, c.req.valid('json').name, false);
    await setActiveWorkspace(c.env.DB, session.session.id, id);
    return c.json({ id, name: c.req.valid('json').name, role: 'keyContact' as const }, 201);
  })
  .put('/active', jsonBody(SwitchWorkspaceBody), async (c) => {
    const session = await sessionOf(c);
    const { workspaceId } = c.req.valid('json');
    const seat = (await seatsOf(c.env.DB, session.user.id)).find((s) => s.workspaceId === workspaceId);
    // The same answer whether the workspace exists or not: its existence is none of a non-member's business.
    if (!seat) throw new DomainError('not_found', 'you have no seat in that workspace');
    await setActiveWorkspace(c.env.DB, session.session.id, workspaceId);
    return c.json({ id: seat.workspaceId, name: seat.workspaceName, role: seat.role });
  });
