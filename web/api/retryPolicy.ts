import { isRetryableStatus, type RetryPolicy } from '../../shared/retry/retryPolicy.ts';
import type { ApiError } from './apiError.ts';

export { parseRetryAfter, retryDelay, type RetryPolicy } from '../../shared/retry/retryPolicy.ts';

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 400, maxDelayMs: 15_000 };

/** Worth another try: the shared rule on our API's status (0 = no answer at all). */
export function isRetryable(error: ApiError): boolean {
  return isRetryableStatus(error.status);
}
