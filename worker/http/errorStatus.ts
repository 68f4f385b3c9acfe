import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../../shared/schema/errors.ts';
import type { DomainError } from '../domainError.ts';

/** The one place that decides an error code's HTTP status. A new code does not compile until it has a row here. */
const STATUS_OF_CODE = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  import_closed: 409,
  batch_out_of_order: 409,
  forbidden_origin: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  consent_required: 422,
  batch_too_large: 422,
  export_settings_invalid: 422,
  // Temporary and retryable by design: each retry moves the re-keying on (worker/crypto/keyedHashMigration.ts).
  upgrading_hashes: 503,
  // Our statuses describe our side: a CRM that refuses our session is a 409 (the connection needs a new sign-in),
  // not a 401 that would read as "you are signed out of this app".
  crm_auth_failed: 409,
  crm_rate_limited: 429,
  rate_limited: 429,
  crm_unavailable: 503,
  crm_error: 502,
  // The server is not set up for the CRM (yet): a deployment's problem, not the request's nor the CRM's.
  crm_not_configured: 503,
  privacy_mode: 422,
  // Stored data that does not open is the server's problem, not the request's.
  sealed_value_unreadable: 500,
  internal: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

export function statusOf(error: DomainError): ContentfulStatusCode {
  // The CRM's own 400/404 (unknown field, no such object, a filter value of the wrong type) are the request's fault.
  if (error.code === 'crm_error' && error.upstreamStatus !== undefined) {
    if (error.upstreamStatus === 404) return 404;
    if (error.upstreamStatus >= 400 && error.upstreamStatus < 500) return 400;
  }
  return STATUS_OF_CODE[error.code];
}
