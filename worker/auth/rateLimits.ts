import type { Context } from 'hono';
import { errorBody } from '../http/apiError.ts';

/**
 * Fixed-window counters in D1 (migrations/0090_rate_limits.sql), shared by every Worker isolate. A rule counts
 * either every attempt (sign-ups, reset mails: each one costs a row or a mail) or only the failed ones (sign-in:
 * a person who gets in should never be locked out by their own sign-ins, a guesser always fails).
 */
export type RateRule = { name: string; limit: number; windowSeconds: number };

export const RATE_RULES = {
  /** Failed password sign-ins per address: a guesser gets 10 tries per quarter hour, whatever their IP. */
  signInFailuresPerEmail: { name: 'sign-in-email', limit: 10, windowSeconds: 15 * 60 },
  /** Failed password sign-ins per IP: one address trying many accounts (password spraying). */
  signInFailuresPerIp: { name: 'sign-in-ip', limit: 30, windowSeconds: 15 * 60 },
  signUpsPerIp: { name: 'sign-up-ip', limit: 10, windowSeconds: 60 * 60 },
  /** Reset and confirmation mails: each one lands in somebody's inbox. */
  mailsPerEmail: { name: 'mail-email', limit: 5, windowSeconds: 60 * 60 },
  mailsPerIp: { name: 'mail-ip', limit: 20, windowSeconds: 60 * 60 },
  /** Failed attempts to use a reset token. */
  resetFailuresPerIp: { name: 'reset-ip', limit: 10, windowSeconds: 15 * 60 },
  /** Single sign-on starts: each one keeps a pending state row. */
  ssoStartsPerIp: { name: 'sso-ip', limit: 30, windowSeconds: 5 * 60 },
  /** Unknown or revoked Bearer tokens per IP. */
  tokenFailuresPerIp: { name: 'token-ip', limit: 20, windowSeconds: 5 * 60 },
  /** New API tokens per workspace. */
  tokensCreatedPerWorkspace: { name: 'token-create', limit: 20, windowSeconds: 60 * 60 },
} as const satisfies Record<string, RateRule>;

export type Limited = { rule: RateRule; retryAfterSeconds: number };

const keyOf = (rule: RateRule, who: string) => `${rule.name}:${who.toLowerCase()}`;
const windowStart = (rule: RateRule, nowSeconds: number) => nowSeconds - (nowSeconds % rule.windowSeconds);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Whether `who` has used up `rule` in the current window, without counting this request. */
export async function exhausted(db: D1Database, rule: RateRule, who: string): Promise<Limited | null> {
  const now = nowSeconds();
  const start = windowStart(rule, now);
  const row = await db.prepare('SELECT count FROM rate_limit_counters WHERE key = ? AND window_start = ?').bind(keyOf(rule, who), start).first<{ count: number }>();
  return row && row.count >= rule.limit ? { rule, retryAfterSeconds: start + rule.windowSeconds - now } : null;
}

/** Counts one attempt; answers the limit when this one is past it. One statement: two isolates cannot both miss a count. */
export async function count(db: D1Database, rule: RateRule, who: string): Promise<Limited | null> {
  const now = nowSeconds();
  const start = windowStart(rule, now);
  const row = await db
    .prepare(
      `INSERT INTO rate_limit_counters (key, window_start, count) VALUES (?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
         window_start = excluded.window_start
       RETURNING count`,
    )
    .bind(keyOf(rule, who), start)
    .first<{ count: number }>();
  const counted = row?.count ?? 1;
  // A key starting a new window sweeps the windows that ended a day ago (the longest window is an hour).
  if (counted === 1) await db.prepare('DELETE FROM rate_limit_counters WHERE window_start < ?').bind(now - 86_400).run();
  return counted > rule.limit ? { rule, retryAfterSeconds: start + rule.windowSeconds - now } : null;
}

/** The first limit of several that is used up. */
export async function firstExhausted(db: D1Database, checks: [RateRule, string][]): Promise<Limited | null> {
  for (const [rule, who] of checks) {
    const limited = await exhausted(db, rule, who);
    if (limited) return limited;
  }
  return null;
}

export async function countAll(db: D1Database, checks: [RateRule, string][]): Promise<Limited | null> {
  let first: Limited | null = null;
  for (const [rule, who] of checks) first ??= await count(db, rule, who);
  return first;
}

/** The client's address as Cloudflare gives it (never a header the client chose); one shared bucket when absent. */
export const clientIp = (req: Request): string => req.headers.get('cf-connecting-ip') ?? 'unknown';

function minutes(seconds: number): string {
  const m = Math.max(1, Math.ceil(seconds / 60));
  return m === 1 ? 'a minute' : `${m} minutes`;
}

const WHAT: Record<string, string> = {
  'sign-in-email': 'Too many failed sign-ins for this address',
  'sign-in-ip': 'Too many failed sign-ins from your network',
  'sign-up-ip': 'Too many new accounts from your network',
  'mail-email': 'Too many mails to this address',
  'mail-ip': 'Too many mails requested from your network',
  'reset-ip': 'Too many failed password resets from your network',
  'sso-ip': 'Too many single sign-on attempts from your network',
  'token-ip': 'Too many requests with an unknown API token from your network',
  'token-create': 'Too many new API tokens in this workspace',
};

/** 429 with Retry-After (seconds) and a sentence that says what to do. */
export function tooManyRequests(c: Context, limited: Limited): Response {
  const message = `${WHAT[limited.rule.name] ?? 'Too many requests'}: try again in ${minutes(limited.retryAfterSeconds)}.`;
  return c.json(errorBody('rate_limited', message, { retryAfterSeconds: limited.retryAfterSeconds }), 429, {
    'retry-after': String(limited.retryAfterSeconds),
  });
}
