import type { z } from 'zod';
import { ApiError, type ErrorContext, messageFromBody } from './apiError.ts';
import { withRetry } from '../../shared/retry/retryPolicy.ts';
import { DEFAULT_RETRY, isRetryable, parseRetryAfter, type RetryPolicy } from './retryPolicy.ts';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
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

/** What a send is given per attempt: the headers every call carries and the signal that cancels this attempt. */
export type SendOptions = { headers: Record<string, string>; init: { signal: AbortSignal } };
/** The part of an answer the pipeline reads: fetch's Response and hc's typed ClientResponse both have it. */
type Answer<T> = { ok: boolean; status: number; headers: Headers; text(): Promise<string>; json(): Promise<T> };
/**
 * Sends the request once; called again for each retry. Typed by what the route answers (hc's ClientResponse), so a
 * schema that does not accept the route's answer type does not compile.
 */
export type Send<T = unknown> = (options: SendOptions) => Promise<Answer<T>>;

async function attempt(send: Send, options: RequestOptions): Promise<unknown> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 60_000)];
  if (options.signal) signals.push(options.signal);
  let response: Answer<unknown>;
  try {
    // Every call says JSON, body-less POSTs (finish) included: the Worker refuses a POST without it, which is what a
    // cross-site form or no-cors fetch would send. Harmless on same-origin GETs.
    const headers = { accept: 'application/json', 'content-type': 'application/json' };
    response = await send({ headers, init: { signal: AbortSignal.any(signals) } });
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

/**
 * One API call through `send` (a typed route of the Worker, see client.ts): retried per the options, its answer
 * validated by the shared schema so the UI never trusts an unchecked shape.
 */
export async function sendChecked<S extends z.ZodType>(schema: S, send: Send<z.input<S>>, options: RequestOptions = {}): Promise<z.infer<S>> {
  const once = async () => {
    const body = await attempt(send, options);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError('The server’s answer was not understood.', 200, 'bad_response', parsed.error.issues);
    }
    return parsed.data;
  };
  if (!options.idempotent) return once();
  return withRetry(once, {
    policy: options.retry ?? DEFAULT_RETRY,
    verdict: (error) => (error instanceof ApiError && isRetryable(error) ? { retryable: true, retryAfterSeconds: error.retryAfter } : { retryable: false }),
    signal: options.signal,
    onRetry: (error, n, delayMs) => options.onRetry?.(error as ApiError, n, delayMs),
  });
}

/** One API call by path: JSON in, JSON out (for routes not reached through the typed client). */
export function request<S extends z.ZodType>(schema: S, path: string, options: RequestOptions = {}): Promise<z.infer<S>> {
  const method = options.method ?? 'GET';
  return sendChecked(
    schema,
    ({ headers, init }) =>
      fetch(path, {
        method,
        headers: options.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        ...init,
      }),
    options,
  );
}
