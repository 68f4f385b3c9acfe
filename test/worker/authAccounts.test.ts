import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import type { ApiToken, CreatedToken, Invitation, Member, OutboxMail, SessionInfo } from '../../shared/schema/auth.ts';
import { call, callAs, emailOf, ok, sessionFor, TEST_PASSWORD } from './support/api.ts';

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  // A browser sends its Origin; better-auth refuses a cookie-carrying POST without one (CSRF).
  return SELF.fetch(`http://app.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://app.test', ...headers },
    body: JSON.stringify(body),
  });
}
const cookieOf = (res: Response) => (res.headers.getSetCookie().find((c) => c.includes('session_token=')) ?? '').split(';')[0] ?? '';
async function as<T>(cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { cookie };
  // Like the SPA: a POST always says JSON, body or not (the lockdown's CSRF guard refuses one that does not).
  if (body !== undefined || method === 'POST') headers['content-type'] = 'application/json';
  const res = await SELF.fetch(`http://app.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Opens the confirmation link of the newest mail to that address, as its owner would. */
async function confirmEmail(email: string): Promise<void> {
  const outbox = (await (await SELF.fetch('http://app.test/api/outbox')).json()) as OutboxMail[];
  const link = outbox.find((m) => m.to === email && m.subject === 'Confirm your email address')?.link;
  if (!link) throw new Error(`no confirmation mail to ${email}`);
  const res = await SELF.fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(302);
}

describe('first run', () => {
  it('sets the server up once, as the key contact of the seeded workspace, with secure session cookies', async () => {
    expect(await (await SELF.fetch('http://app.test/api/setup')).json()).toEqual({ needed: true });
    const session = (await (await SELF.fetch('http://app.test/api/session')).json()) as SessionInfo;
    expect(session).toMatchObject({ user: null, setupNeeded: true });

    // The same person the other tests sign in as key contact (support/api.ts), so they find the server set up.
    const first = await post('/api/setup', { workspaceName: 'Acme marketing', name: 'Ada First', email: emailOf('keyContact').toUpperCase(), password: TEST_PASSWORD });
    expect(first.status).toBe(201);
    const cookie = first.headers.getSetCookie().find((c) => c.includes('session_token=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const me = await as<SessionInfo>(cookieOf(first), 'GET', '/api/session');
    // The first account is verified by construction (it gets the server by being first, not by its address).
    expect(me.body.user).toMatchObject({ email: emailOf('keyContact'), name: 'Ada First', emailVerified: true });
    expect(me.body.workspace).toEqual({ id: 'default', name: 'Acme marketing', role: 'keyContact' });

    // Nobody can set it up a second time; the first admin gets no mail asking to confirm an address already taken as confirmed.
    expect((await post('/api/setup', { workspaceName: 'Mine now', name: 'Mallory', email: 'm@example.com', password: 'a long enough password' })).status).toBe(409);
    expect(await (await SELF.fetch('http://app.test/api/setup')).json()).toEqual({ needed: false });
    const outbox = (await (await SELF.fetch('http://app.test/api/outbox')).json()) as OutboxMail[];
    expect(outbox.filter((m) => m.to === emailOf('keyContact'))).toEqual([]);
  });

  it('signs out, and signs out everywhere', async () => {
    await post('/api/auth/sign-up/email', { name: 'Ada Second', email: 'ada@example.com', password: 'a long enough password' });
    const signedIn = async (cookie: string) => (await as<SessionInfo>(cookie, 'GET', '/api/session')).body.user !== null;
    const a = await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'a long enough password' });
    const b = await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'a long enough password' });
    expect(await signedIn(cookieOf(a))).toBe(true);
    expect((await post('/api/auth/sign-out', {}, { cookie: cookieOf(a) })).status).toBe(200);
    expect(await signedIn(cookieOf(a))).toBe(false);
    expect(await signedIn(cookieOf(b))).toBe(true);

    const c = await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'a long enough password' });
    expect((await post('/api/auth/revoke-sessions', {}, { cookie: cookieOf(c) })).status).toBe(200);
    expect(await signedIn(cookieOf(b))).toBe(false);
    expect(await signedIn(cookieOf(c))).toBe(false);
    expect((await as(cookieOf(b), 'GET', '/api/members')).status).toBe(401);
  });

  it('resets a forgotten password through the mailed link', async () => {
    expect((await post('/api/auth/request-password-reset', { email: 'ada@example.com', redirectTo: '/reset-password' })).status).toBe(200);
    const outbox = (await (await SELF.fetch('http://app.test/api/outbox')).json()) as OutboxMail[];
    const link = outbox.find((m) => m.subject === 'Reset your password')?.link ?? '';
    const token = /reset-password\/([^?]+)/.exec(link)?.[1] ?? '';
    expect(token).not.toBe('');
    expect((await post('/api/auth/reset-password', { token, newPassword: 'a brand new password' })).status).toBe(200);
    expect((await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'a long enough password' })).status).toBe(401);
    expect((await post('/api/auth/sign-in/email', { email: 'ada@example.com', password: 'a brand new password' })).status).toBe(200);
  });
});

describe('members, invitations and the key contact', () => {
  it('invites a marketer who accepts with the invited address and may import but not manage', async () => {
    const invitation = await ok<Invitation>('POST', '/api/members/invitations', { email: 'Mia@Example.com', role: 'marketer' });
    expect(invitation).toMatchObject({ email: 'mia@example.com', role: 'marketer', status: 'pending' });
    const outbox = (await (await SELF.fetch('http://app.test/api/outbox')).json()) as OutboxMail[];
    expect(outbox.find((m) => m.to === 'mia@example.com')?.link).toBe(`http://app.test/invite/${invitation.id}`);

    // Someone else signed in cannot take the seat.
    const eve = await post('/api/auth/sign-up/email', { name: 'Eve', email: 'eve@example.com', password: TEST_PASSWORD });
    expect((await as(cookieOf(eve), 'POST', `/api/invitations/${invitation.id}/accept`)).status).toBe(403);

    const mia = await post('/api/auth/sign-up/email', { name: 'Mia', email: 'mia@example.com', password: TEST_PASSWORD });
    expect((await as(cookieOf(mia), 'GET', '/api/audiences')).status).toBe(403);
    // No seat before the address is confirmed: the mail with the link went to the local outbox.
    const unconfirmed = await as<{ error: { message: string } }>(cookieOf(mia), 'POST', `/api/invitations/${invitation.id}/accept`);
    expect(unconfirmed.status).toBe(403);
    expect(unconfirmed.body.error.message).toMatch(/confirm your email address first/);
    await confirmEmail('mia@example.com');
    expect((await as(cookieOf(mia), 'POST', `/api/invitations/${invitation.id}/accept`)).status).toBe(200);
    expect((await as(cookieOf(mia), 'POST', `/api/invitations/${invitation.id}/accept`)).status).toBe(404);
    expect((await as<Audience>(cookieOf(mia), 'POST', '/api/audiences', { name: 'Mia’s list' })).status).toBe(201);
    expect((await as(cookieOf(mia), 'POST', '/api/members/invitations', { email: 'x@example.com', role: 'admin' })).status).toBe(403);
    expect((await as(cookieOf(mia), 'POST', '/api/tokens', { name: 'mine', role: 'marketer' })).status).toBe(403);

    const members = await ok<Member[]>('GET', '/api/members');
    expect(members.find((m) => m.email === 'mia@example.com')?.role).toBe('marketer');
  });

  it('keeps exactly one key contact, handed over by an admin', async () => {
    await sessionFor('viewer');
    const before = await ok<Member[]>('GET', '/api/members');
    const keyContact = before.find((m) => m.role === 'keyContact');
    const viewer = before.find((m) => m.role === 'viewer');
    if (!keyContact || !viewer) throw new Error('test members missing');

    expect((await call('PUT', `/api/members/${keyContact.id}/role`, { role: 'viewer' })).status).toBe(409);
    expect((await call('DELETE', `/api/members/${keyContact.id}`)).status).toBe(409);
    expect((await call('PUT', `/api/members/${viewer.id}/role`, { role: 'keyContact' })).status).toBe(400);

    const after = await ok<Member[]>('PUT', '/api/members/key-contact', { memberId: viewer.id });
    expect(after.filter((m) => m.role === 'keyContact').map((m) => m.id)).toEqual([viewer.id]);
    expect(after.find((m) => m.id === keyContact.id)?.role).toBe('admin');
    expect((await callAs('viewer', 'GET', '/api/tokens')).status).toBe(200);
    await ok('PUT', '/api/members/key-contact', { memberId: keyContact.id });
    expect((await callAs('viewer', 'GET', '/api/tokens')).status).toBe(200);
    const restored = await ok<Member[]>('PUT', `/api/members/${viewer.id}/role`, { role: 'viewer' });
    expect(restored.filter((m) => m.role === 'keyContact').map((m) => m.id)).toEqual([keyContact.id]);
    expect((await callAs('viewer', 'GET', '/api/tokens')).status).toBe(403);
  });
});

describe('workspaces', () => {
  it('gives a user of another workspace nothing of this one, and switches between a user’s own workspaces', async () => {
    const mine = await ok<Audience>('POST', '/api/audiences', { name: 'Only ours' });
    const olga = await post('/api/auth/sign-up/email', { name: 'Olga Other', email: 'olga@example.com', password: TEST_PASSWORD });
    const cookie = cookieOf(olga);
    expect((await as(cookie, 'POST', '/api/workspaces', { name: 'Olga’s shop' })).status).toBe(403);
    await confirmEmail('olga@example.com');
    expect((await as(cookie, 'POST', '/api/workspaces', { name: 'Olga’s shop' })).status).toBe(201);
    expect((await as(cookie, 'GET', `/api/audiences/${mine.id}`)).status).toBe(404);
    expect((await as<Audience[]>(cookie, 'GET', '/api/audiences')).body).toEqual([]);
    // Neither the URL nor the body chooses the workspace: only a seat does.
    expect((await as(cookie, 'PUT', '/api/workspaces/active', { workspaceId: 'default' })).status).toBe(404);
    expect((await as(cookie, 'GET', `/api/audiences/${mine.id}?workspaceId=default`)).status).toBe(404);

    // Given a seat here too, she switches, and the API follows her session.
    const seat = await ok<Invitation>('POST', '/api/members/invitations', { email: 'olga@example.com', role: 'viewer' });
    expect((await as(cookie, 'POST', `/api/invitations/${seat.id}/accept`)).status).toBe(200);
    expect((await as<SessionInfo>(cookie, 'GET', '/api/session')).body.workspaces.map((w) => w.role).sort()).toEqual(['keyContact', 'viewer']);
    expect((await as(cookie, 'GET', `/api/audiences/${mine.id}`)).status).toBe(200);
    const own = (await as<SessionInfo>(cookie, 'GET', '/api/session')).body.workspaces.find((w) => w.role === 'keyContact');
    expect((await as(cookie, 'PUT', '/api/workspaces/active', { workspaceId: own?.id })).status).toBe(200);
    expect((await as(cookie, 'GET', `/api/audiences/${mine.id}`)).status).toBe(404);
  });
});

describe('API tokens', () => {
  it('acts for its workspace with its role, is shown once, stored hashed, revocable and records its last use', async () => {
    const created = await ok<CreatedToken>('POST', '/api/tokens', { name: 'nightly export', role: 'viewer' });
    expect(created.token).toMatch(/^ait_[\w-]{43}$/);
    const bearer = { authorization: `Bearer ${created.token}` };

    expect((await callAs('anonymous', 'GET', '/api/audiences', undefined, bearer)).status).toBe(200);
    expect((await callAs('anonymous', 'POST', '/api/audiences', { name: 'by script' }, bearer)).status).toBe(403);
    expect((await callAs('anonymous', 'GET', '/api/audiences', undefined, { authorization: 'Bearer ait_not-a-real-token' })).status).toBe(401);

    const listed = await ok<ApiToken[]>('GET', '/api/tokens');
    const row = listed.find((t) => t.id === created.id);
    expect(row).toMatchObject({ name: 'nightly export', role: 'viewer', hint: created.hint, revokedAt: null });
    expect(row?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.token);
    const stored = await env.DB.prepare('SELECT * FROM api_tokens WHERE id = ?').bind(created.id).first<Record<string, string>>();
    expect(Object.values(stored ?? {})).not.toContain(created.token);

    expect((await call('DELETE', `/api/tokens/${created.id}`)).status).toBe(204);
    expect((await callAs('anonymous', 'GET', '/api/audiences', undefined, bearer)).status).toBe(401);
  });
});
