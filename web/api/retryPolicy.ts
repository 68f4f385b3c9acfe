import { isRetryableStatus, type RetryPolicy } from '../../shared/retry/retryPolicy.ts';
import type { ApiError } from './apiError.ts';

export { parseRetryAfter, retryDelay, type RetryPolicy } from '../../shared/retry/retryPolicy.ts';

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 400, maxDelayMs: 15_000 };

/** Worth another try: the shared rule on our API's status (0 = no answer at all). */
export function isRetryable(error: ApiError): boolean {
  // A 503 for a server without the CRM's settings stays one until an administrator acts.
  return error.code !== 'crm_not_configured' && isRetryableStatus(error.status);
}
