import { Hono } from 'hono';
import { FirstRunBody, type InvitationView, type OutboxMail, type SessionInfo } from '../../shared/schema/auth.ts';
import { authFor, FIRST_RUN_HEADER, SIGN_IN_PAGE } from '../auth/createAuth.ts';
import { activeSeat, seatsOf } from '../auth/principal.ts';
import { clientIp, countAll, firstExhausted, RATE_RULES, type RateRule, tooManyRequests } from '../auth/rateLimits.ts';
import { ssoProviderIds } from '../auth/singleSignOn.ts';
import {
  acceptInvitation,
  acceptInvitationsForEmail,
  createWorkspaceFor,
  getInvitation,
  hasPassword,
  setActiveWorkspace,
  userCount,
} from '../auth/workspaceStore.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody } from '../http/validate.ts';

const outboxIsLocal = (env: Env) => env.MAIL_OUTBOX === 'local';

const SESSION_COOKIE = /^((?:__Secure-)?better-auth\.session_token)=([^;]*)/;

/**
 * Who may get in through single sign-on: a person the identity provider vouches for joins the workspaces that
 * invited that address, or keeps the seats they have; anyone else leaves with no session (and no account, when an
 * identity provider was all they had) and reads why on the sign-in page. better-auth has already checked state,
 * PKCE, nonce and the id_token's signature when its callback answers with a session.
 */
async function admitSingleSignOn(env: Env, answer: Response): Promise<Response> {
  const location = answer.headers.get('location') ?? '';
  const match = answer.headers.getSetCookie().map((line) => SESSION_COOKIE.exec(line)).find((m) => m?.[2]);
  const [, cookieName = '', cookieValue = ''] = match ?? [];
  if (answer.status !== 302 || !cookieValue || /[?&]error=/.test(location)) return answer;
  const session = await authFor(env).api.getSession({ headers: new Headers({ cookie: `${cookieName}=${cookieValue}` }) });
  if (!session) return answer;
  const joined = await acceptInvitationsForEmail(env.DB, session.user);
  const last = joined.at(-1);
  if (last) await setActiveWorkspace(env.DB, session.session.id, last);
  if (joined.length > 0 || (await seatsOf(env.DB, session.user.id)).length > 0) return answer;

  await env.DB.prepare('DELETE FROM "session" WHERE id = ?').bind(session.session.id).run();
  if (!(await hasPassword(env.DB, session.user.id))) await env.DB.prepare('DELETE FROM "user" WHERE id = ?').bind(session.user.id).run();
  const reason = session.user.emailVerified ? 'not_invited' : 'email_not_verified';
  const refused = new Response(null, { status: 302, headers: { location: `${SIGN_IN_PAGE}?${new URLSearchParams({ error: reason, email: session.user.email })}` } });
  refused.headers.append('set-cookie', `${cookieName}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax${cookieName.startsWith('__Secure-') ? '; Secure' : ''}`);
  return refused;
}

type Limits = { everyAttempt: [RateRule, string][]; failures: [RateRule, string][] };

/** Which limits guard a better-auth endpoint: counted on every attempt, or only when it fails. */
async function limitsOf(req: Request): Promise<Limits> {
  const none: Limits = { everyAttempt: [], failures: [] };
  if (req.method !== 'POST') return none;
  const path = new URL(req.url).pathname.replace(/^\/api\/auth/, '');
  const ip = clientIp(req);
  const body: unknown = await req.clone().json().catch(() => null);
  const email = body && typeof body === 'object' && 'email' in body && typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
  const perEmail = (rule: RateRule): [RateRule, string][] => (email ? [[rule, email]] : []);
  switch (path) {
    case '/sign-in/email':
      return { everyAttempt: [], failures: [...perEmail(RATE_RULES.signInFailuresPerEmail), [RATE_RULES.signInFailuresPerIp, ip]] };
    case '/sign-up/email':
      return { everyAttempt: [[RATE_RULES.signUpsPerIp, ip]], failures: [] };
    case '/request-password-reset':
    case '/send-verification-email':
      return { everyAttempt: [...perEmail(RATE_RULES.mailsPerEmail), [RATE_RULES.mailsPerIp, ip]], failures: [] };
    case '/reset-password':
      return { everyAttempt: [], failures: [[RATE_RULES.resetFailuresPerIp, ip]] };
    case '/sign-in/social':
      return { everyAttempt: [[RATE_RULES.ssoStartsPerIp, ip]], failures: [] };
    default:
      return none;
  }
}

/** better-auth's own endpoints (sign-in, sign-up, sign-out, revoke-sessions, password reset, verify-email, SSO). */
export const betterAuthRoutes = new Hono<AppEnv>()
  .get('/callback/:provider', async (c) => admitSingleSignOn(c.env, await authFor(c.env).handler(c.req.raw)))
  .on(['GET', 'POST'], '/*', async (c) => {
    const limits = await limitsOf(c.req.raw);
    const limited = (await countAll(c.env.DB, limits.everyAttempt)) ?? (await firstExhausted(c.env.DB, limits.failures));
    if (limited) return tooManyRequests(c, limited);
    const answer = await authFor(c.env).handler(c.req.raw);
    if (answer.status >= 400 && answer.status < 500) await countAll(c.env.DB, limits.failures);
    return answer;
  });

/** First run, the session as the SPA sees it, the local outbox and invitations. */
export const sessionRoutes = new Hono<AppEnv>()
  .get('/setup', async (c) => c.json({ needed: (await userCount(c.env.DB)) === 0 }))
  // Only while nobody has an account: whoever reaches a fresh install sets it up, which is what a newcomer's
  // first `npm start` needs; afterwards people join by invitation or sign up and make their own workspace.
  .post('/setup', jsonBody(FirstRunBody), async (c) => {
    if ((await userCount(c.env.DB)) > 0) throw new DomainError('conflict', 'this server is already set up: sign in instead');
    const body = c.req.valid('json');
    // Through better-auth's own HTTP handler, so its links (the verification mail) carry this server's origin.
    const signUp = await authFor(c.env).handler(
      new Request(new URL('/api/auth/sign-up/email', c.req.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: new URL(c.req.url).origin, [FIRST_RUN_HEADER]: '1' },
        body: JSON.stringify({ name: body.name, email: body.email, password: body.password }),
      }),
    );
    if (!signUp.ok) throw new DomainError('validation_failed', `the account could not be created (${signUp.status})`, await signUp.json().catch(() => undefined));
    const { user } = (await signUp.json()) as { user: { id: string } };
    // Verified by construction: the first account is given the server by being first, not by its address (no
    // invitation is matched against it, no one else has a seat to lose), and the person typing it is at the
    // server they just started; locally there is no mail server to prove it with anyway.
    await c.env.DB.prepare(`UPDATE "user" SET "emailVerified" = 1 WHERE id = ?`).bind(user.id).run();
    const workspaceId = await createWorkspaceFor(c.env.DB, user.id, body.workspaceName, true);
    for (const cookie of signUp.headers.getSetCookie()) c.header('set-cookie', cookie, { append: true });
    return c.json({ workspaceId }, 201);
  })
  .get('/session', async (c) => {
    const setupNeeded = (await userCount(c.env.DB)) === 0;
    const session = setupNeeded ? null : await authFor(c.env).api.getSession({ headers: c.req.raw.headers });
    if (!session) return c.json({ user: null, workspace: null, workspaces: [], setupNeeded, outbox: outboxIsLocal(c.env), singleSignOn: ssoProviderIds(c.env) } satisfies SessionInfo);
    const seats = await seatsOf(c.env.DB, session.user.id);
    const seat = activeSeat(seats, session.session.activeOrganizationId);
    const summary = (s: (typeof seats)[number]) => ({ id: s.workspaceId, name: s.workspaceName, role: s.role });
    const { id, name, email, emailVerified } = session.user;
    return c.json({
      user: { id, name, email, emailVerified },
      workspace: seat ? summary(seat) : null,
      workspaces: seats.map(summary),
      setupNeeded,
      outbox: outboxIsLocal(c.env),
      singleSignOn: ssoProviderIds(c.env),
    } satisfies SessionInfo);
  })
  // Mails hold sign-in links: listed only where MAIL_OUTBOX is "local" (npm start, tests), never in production.
  .get('/outbox', async (c) => {
    if (!outboxIsLocal(c.env)) throw new DomainError('not_found', 'the outbox is only kept on a local server');
    const { results } = await c.env.DB.prepare(
      'SELECT id, recipient AS "to", subject, body, link, created_at AS createdAt FROM outbox_mails ORDER BY created_at DESC, rowid DESC LIMIT 100',
    ).all<OutboxMail>();
    return c.json(results);
  })
  .get('/invitations/:id', async (c) => {
    const invitation = await getInvitation(c.env.DB, c.req.param('id'));
    if (!invitation) throw new DomainError('not_found', 'this invitation does not exist');
    const { id, email, role, status, workspaceName, expiresAt } = invitation;
    return c.json({ id, email, role, status, workspaceName, expired: new Date(expiresAt).getTime() < Date.now() } satisfies InvitationView);
  })
  .post('/invitations/:id/accept', async (c) => {
    const session = await authFor(c.env).api.getSession({ headers: c.req.raw.headers });
    if (!session) throw new DomainError('unauthorized', 'sign in first');
    const workspaceId = await acceptInvitation(c.env.DB, c.req.param('id'), session.user);
    await setActiveWorkspace(c.env.DB, session.session.id, workspaceId);
    return c.json({ workspaceId });
  });
