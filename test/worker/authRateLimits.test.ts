import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../shared/schema/errors.ts';
import { call, callAs, sessionFor, TEST_PASSWORD } from './support/api.ts';

// Each test speaks from its own address (cf-connecting-ip, which Cloudflare sets and clients cannot), so their
// counters never meet.
async function post(path: string, body: unknown, ip: string): Promise<Response> {
  return SELF.fetch(`http://app.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://app.test', 'cf-connecting-ip': ip },
    body: JSON.stringify(body),
  });
}

async function expectLimited(res: Response, message: RegExp): Promise<void> {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60 * 60);
  const body = (await res.json()) as ApiErrorBody;
  expect(body.error.code).toBe('rate_limited');
  expect(body.error.message).toMatch(message);
  expect(body.error.message).toMatch(/try again in (a minute|\d+ minutes)\./);
}

// The test workspace's first-run admin must be the first account of this file's database.
beforeAll(() => sessionFor('admin'));

describe('rate limits (counted in D1, shared by every isolate)', () => {
  it('stops guessing one account’s password after 10 failures, from whatever address, but never counts a good sign-in', async () => {
    await post('/api/auth/sign-up/email', { name: 'Gus', email: 'gus@example.com', password: TEST_PASSWORD }, '203.0.113.1');
    for (let i = 0; i < 12; i++) {
      expect((await post('/api/auth/sign-in/email', { email: 'gus@example.com', password: TEST_PASSWORD }, '203.0.113.1')).status).toBe(200);
    }
    for (let i = 0; i < 10; i++) {
      expect((await post('/api/auth/sign-in/email', { email: 'gus@example.com', password: `wrong guess ${i}` }, `198.51.100.${i}`)).status).toBe(401);
    }
    await expectLimited(await post('/api/auth/sign-in/email', { email: 'GUS@example.com', password: 'one more guess' }, '198.51.100.99'), /failed sign-ins for this address/);
    // Blocked for the window even with the right password: the guesser cannot tell when they found it.
    await expectLimited(await post('/api/auth/sign-in/email', { email: 'gus@example.com', password: TEST_PASSWORD }, '203.0.113.1'), /for this address/);
    const row = await env.DB.prepare(`SELECT count FROM rate_limit_counters WHERE key = 'sign-in-email:gus@example.com'`).first<{ count: number }>();
    expect(row?.count).toBe(10);
  });

  it('stops one address spraying passwords over many accounts', async () => {
    for (let i = 0; i < 30; i++) {
      expect((await post('/api/auth/sign-in/email', { email: `victim${i}@example.com`, password: 'Summer2026!!' }, '192.0.2.7')).status).toBe(401);
    }
    await expectLimited(await post('/api/auth/sign-in/email', { email: 'victim99@example.com', password: 'Summer2026!!' }, '192.0.2.7'), /from your network/);
    // Another address is not affected.
    expect((await post('/api/auth/sign-in/email', { email: 'victim99@example.com', password: 'Summer2026!!' }, '192.0.2.8')).status).toBe(401);
  });

  it('limits sign-ups per address and reset mails per mailbox', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await post('/api/auth/sign-up/email', { name: `Bot ${i}`, email: `bot${i}@example.com`, password: TEST_PASSWORD }, '192.0.2.20')).status).toBe(200);
    }
    await expectLimited(await post('/api/auth/sign-up/email', { name: 'Bot', email: 'bot10@example.com', password: TEST_PASSWORD }, '192.0.2.20'), /new accounts/);
    expect(await env.DB.prepare(`SELECT 1 FROM "user" WHERE email = 'bot10@example.com'`).first()).toBeNull();

    for (let i = 0; i < 5; i++) {
      expect((await post('/api/auth/request-password-reset', { email: 'bot1@example.com', redirectTo: '/reset-password' }, `192.0.2.${30 + i}`)).status).toBe(200);
    }
    await expectLimited(await post('/api/auth/request-password-reset', { email: 'bot1@example.com', redirectTo: '/reset-password' }, '192.0.2.40'), /mails to this address/);
    const mails = await env.DB.prepare(`SELECT count(*) AS n FROM outbox_mails WHERE recipient = 'bot1@example.com' AND subject = 'Reset your password'`).first<{ n: number }>();
    expect(mails?.n).toBe(5);
  });

  it('limits unknown API tokens per address and new tokens per workspace', async () => {
    const guess = (i: number) => callAs('anonymous', 'GET', '/api/audiences', undefined, { authorization: `Bearer ait_guess${i}`, 'cf-connecting-ip': '192.0.2.50' });
    for (let i = 0; i < 20; i++) expect((await guess(i)).status).toBe(401);
    const limited = await guess(20);
    expect(limited.status).toBe(429);
    expect((limited.body as ApiErrorBody).error.message).toMatch(/unknown API token/);

    for (let i = 0; i < 20; i++) expect((await call('POST', '/api/tokens', { name: `script ${i}`, role: 'viewer' })).status).toBe(201);
    const tooMany = await call<ApiErrorBody>('POST', '/api/tokens', { name: 'one more', role: 'viewer' });
    expect(tooMany.status).toBe(429);
    expect(tooMany.body.error.message).toMatch(/new API tokens in this workspace/);
  });
});
