import { createMiddleware } from 'hono/factory';
import { bodyLimit } from 'hono/body-limit';
import { MAX_BATCH_BYTES, MAX_JSON_BODY_BYTES, formatLimit } from '../../shared/schema/limits.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from './appEnv.ts';

type BodyRule = { method: string; path: RegExp; maxBytes: number; what: string; advice: string };

// The one route with bigger bodies; every other body is MAX_JSON_BODY_BYTES at most.
const RULES: readonly BodyRule[] = [
  { method: 'PUT', path: /^\/api\/imports\/[^/]+\/batches\/[^/]+$/, maxBytes: MAX_BATCH_BYTES, what: 'a batch', advice: 'send fewer rows per batch' },
];
const DEFAULT_RULE = { maxBytes: MAX_JSON_BODY_BYTES, what: 'a request body', advice: 'send less at once' };

const limiters = new Map<BodyRule | typeof DEFAULT_RULE, ReturnType<typeof bodyLimit>>();

function limiterFor(rule: BodyRule | typeof DEFAULT_RULE): ReturnType<typeof bodyLimit> {
  let limiter = limiters.get(rule);
  if (!limiter) {
    limiter = bodyLimit({
      maxSize: rule.maxBytes,
      onError: () => {
        throw new DomainError('payload_too_large', `${rule.what} may be at most ${formatLimit(rule.maxBytes, 'bytes')}; ${rule.advice}`, {
          limitBytes: rule.maxBytes,
        });
      },
    });
    limiters.set(rule, limiter);
  }
  return limiter;
}

/**
 * Every body has a size limit, checked before it is read into memory (by Content-Length, or while streaming):
 * an oversized body is a 413 `payload_too_large` naming the limit, not a D1 `SQLITE_TOOBIG` or an isolate out of memory.
 */
export const bodyLimits = createMiddleware<AppEnv>(async (c, next) => {
  const path = new URL(c.req.url).pathname;
  const rule = RULES.find((r) => r.method === c.req.method && r.path.test(path)) ?? DEFAULT_RULE;
  return limiterFor(rule)(c, next);
});
