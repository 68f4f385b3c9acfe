import { describe, expect, it } from 'vitest';
import { isRetryableStatus, parseRetryAfter, retryDelay, withRetry, type RetryPolicy } from './retryPolicy.ts';

const policy: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('retryDelay', () => {
  it('doubles the ceiling each attempt, jittered into its upper half, capped', () => {
    expect(retryDelay(0, policy, undefined, () => 0)).toBe(50);
    expect(retryDelay(2, policy, undefined, () => 1)).toBe(400);
    expect(retryDelay(10, policy, undefined, () => 1)).toBe(1_000);
  });

  it('waits at least the Retry-After, up to the policy limit', () => {
    expect(retryDelay(0, policy, 2, () => 0)).toBe(2_000);
    expect(retryDelay(0, { ...policy, maxRetryAfterMs: 5_000 }, 60, () => 0)).toBe(5_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates against the given clock', () => {
    expect(parseRetryAfter(' 3 ')).toBe(3);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', Date.UTC(2026, 0, 1))).toBe(30);
    expect(parseRetryAfter('later')).toBeUndefined();
  });
});

describe('isRetryableStatus', () => {
  it('retries lost answers, 429 and 5xx only', () => {
    expect([0, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409].some(isRetryableStatus)).toBe(false);
  });
});

describe('withRetry', () => {
  const failing = (failures: unknown[]) => {
    let n = 0;
    return async () => {
      const error = failures[n++];
      if (error !== undefined) throw error;
      return `ok after ${n}`;
    };
  };

  it('retries retryable failures with the policy delays, through the injected sleep', async () => {
    const waits: number[] = [];
    const result = await withRetry(failing(['busy', 'busy']), {
      policy,
      verdict: () => ({ retryable: true }),
      sleep: async (ms) => void waits.push(ms),
      random: () => 1,
    });
    expect(result).toBe('ok after 3');
    expect(waits).toEqual([100, 200]);
  });

  it('throws the error itself when it is not retryable or the retries are spent', async () => {
    const noWait = async () => {};
    await expect(withRetry(failing(['fatal']), { policy, verdict: () => ({ retryable: false }), sleep: noWait })).rejects.toBe('fatal');
    await expect(withRetry(failing(['a', 'b', 'c', 'd']), { policy, verdict: () => ({ retryable: true }), sleep: noWait })).rejects.toBe('d');
  });

  it('waits what Retry-After asks, and gives up at once when it asks for more than the limit', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    await withRetry(failing(['slow']), { policy, verdict: () => ({ retryable: true, retryAfterSeconds: 7 }), sleep, random: () => 0 });
    expect(waits).toEqual([7_000]);
    await expect(
      withRetry(failing(['later']), { policy: { ...policy, maxRetryAfterMs: 5_000 }, verdict: () => ({ retryable: true, retryAfterSeconds: 3600 }), sleep }),
    ).rejects.toBe('later');
    expect(waits).toEqual([7_000]);
  });
});
