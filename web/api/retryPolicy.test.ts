import { describe, expect, it } from 'vitest';
import { ApiError } from './apiError.ts';
import { DEFAULT_RETRY, isRetryable, parseRetryAfter, retryDelay } from './retryPolicy.ts';

describe('isRetryable', () => {
  it('retries lost connections, rate limits and server failures only', () => {
    const at = (status: number) => new ApiError('x', status, 'internal');
    expect([0, 429, 500, 502, 503].map((s) => isRetryable(at(s)))).toEqual([true, true, true, true, true]);
    expect([400, 401, 404, 409, 413, 422].map((s) => isRetryable(at(s)))).toEqual([false, false, false, false, false, false]);
  });

  it('does not retry a server that is not set up for the CRM: only an administrator changes that', () => {
    expect(isRetryable(new ApiError('x', 503, 'crm_not_configured'))).toBe(false);
  });
});

describe('retryDelay', () => {
  const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles the ceiling each attempt, jittered into its upper half', () => {
    expect(retryDelay(0, policy, undefined, () => 0)).toBe(50);
    expect(retryDelay(0, policy, undefined, () => 1)).toBe(100);
    expect(retryDelay(3, policy, undefined, () => 1)).toBe(800);
  });

  it('never exceeds the maximum', () => {
    expect(retryDelay(20, policy, undefined, () => 1)).toBe(1_000);
  });

  it('waits at least what Retry-After asked for, up to a minute', () => {
    expect(retryDelay(0, policy, 5, () => 0)).toBe(5_000);
    expect(retryDelay(0, policy, 3_600, () => 0)).toBe(60_000);
  });

  it('has a default that gives up within a minute or so', () => {
    let total = 0;
    for (let n = 0; n < DEFAULT_RETRY.retries; n++) total += retryDelay(n, DEFAULT_RETRY, undefined, () => 1);
    expect(total).toBeLessThan(60_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.UTC(2026, 0, 1))).toBe(10);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
