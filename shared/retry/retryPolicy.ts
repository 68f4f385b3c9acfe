/**
 * The one retry policy of the app: the SPA's calls to our API and the Worker's calls to a CRM follow it. Pure but
 * for `withRetry`, whose clock, waits and dice are injectable, so tests run the policy without real delays.
 */

export type RetryPolicy = {
  /** Retries after the first attempt. */
  retries: number;
  /** Ceiling of the first wait; doubles each retry up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The longest Retry-After honoured (default a minute). `retryDelay` caps a longer one; `withRetry` stops instead,
   * since a caller told "come back in an hour" is better answered at once than kept waiting.
   */
  maxRetryAfterMs?: number;
};

export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** What a failed attempt says about trying again. */
export type RetryVerdict = { retryable: false } | { retryable: true; retryAfterSeconds?: number | undefined };

/** Worth another try on the same request: no answer at all (0), overloaded (429) or failing (5xx); other 4xx fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/**
 * Exponential backoff jittered into the upper half of its ceiling (so clients that failed together do not come
 * back in lockstep, yet never retry at once), and never shorter than what the server asked for with Retry-After.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterSeconds?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  const asked = retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : 0;
  return Math.max(jittered, Math.min(asked, policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS));
}

/** `Retry-After` in seconds: either whole seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

export type WithRetryOptions = {
  policy: RetryPolicy;
  /** Which failures are worth another attempt, and how long the server asked to wait. */
  verdict: (error: unknown) => RetryVerdict;
  sleep?: Sleep;
  random?: () => number;
  signal?: AbortSignal;
  /** Told before each wait (attempt counts from 1): lets a UI say "retrying in 3 s". */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
};

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's retries are spent; the last error is thrown as
 * it was. A Retry-After beyond the policy's limit ends the retries too.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: WithRetryOptions): Promise<T> {
  const { policy } = options;
  const sleep = options.sleep ?? realSleep;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const verdict = options.verdict(error);
      if (!verdict.retryable || n >= policy.retries) throw error;
      const asked = verdict.retryAfterSeconds;
      if (asked !== undefined && asked * 1000 > (policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) throw error;
      const delay = retryDelay(n, policy, asked, options.random);
      options.onRetry?.(error, n + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}
