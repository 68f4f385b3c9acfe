import type { z } from 'zod';
import { ApiError, type ErrorContext, messageFromBody } from './apiError.ts';
import { DEFAULT_RETRY, isRetryable, parseRetryAfter, type RetryPolicy, retryDelay } from './retryPolicy.ts';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /**
   * Safe to send twice (GET, PUT, batch PUTs with their idempotency key): network errors, 429 and 5xx are retried
   * with backoff. Non-idempotent calls fail at once, since a lost answer may hide a request that was applied.
   */
  idempotent?: boolean;
  retry?: RetryPolicy;
  /** Maps body indexes in validation errors to row numbers and column names. */
  context?: ErrorContext;
  /** Cancels the call and any pending retry. */
  signal?: AbortSignal;
  /** Told before each retry: lets the UI say "Connection lost, retrying in 3 s". */
  onRetry?: (error: ApiError, attempt: number, delayMs: number) => void;
  timeoutMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
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

async function attempt(path: string, options: RequestOptions): Promise<unknown> {
  const method = options.method ?? 'GET';
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 60_000)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: options.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.any(signals),
    });
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    throw new ApiError('No connection to the server. Check your network; nothing was lost.', 0, 'network', String(cause));
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const { code, message, details } = messageFromBody(body, response.status, options.context);
    throw new ApiError(message, response.status, code, details, parseRetryAfter(response.headers.get('retry-after')));
  }
  return body;
}

/** One API call: JSON in, JSON out, validated by the shared schema so the UI never trusts an unchecked shape. */
export async function request<S extends z.ZodType>(schema: S, path: string, options: RequestOptions = {}): Promise<z.infer<S>> {
  const policy = options.retry ?? DEFAULT_RETRY;
  for (let n = 0; ; n++) {
    try {
      const body = await attempt(path, options);
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        throw new ApiError(`The server's answer to ${path} was not understood.`, 200, 'bad_response', parsed.error.issues);
      }
      return parsed.data;
    } catch (error) {
      if (!(error instanceof ApiError) || !options.idempotent || !isRetryable(error) || n >= policy.retries) throw error;
      const delay = retryDelay(n, policy, error.retryAfter);
      options.onRetry?.(error, n + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}
