import type { CrmErrorDetails } from '../../shared/schema/crm.ts';
import { ApiError } from '../http/apiError.ts';
import { CrmError, SelectionError } from './connector.ts';

/**
 * A CRM failure as an API error: the one table from a CRM error to our status. Our own API's statuses describe our
 * side: a CRM that refuses our session is a 409 (the connection needs a new login), not a 401 that would read as
 * "you are logged out of this app". `details` is `CrmErrorDetails`: the vendor's code and text, and whether the
 * CRM or the app itself refused.
 */
export function crmApiError(e: CrmError): ApiError {
  if (e instanceof SelectionError && e.path) {
    return new ApiError(400, 'validation_failed', `${e.path.join('.')}: ${e.message}`, [{ path: [...e.path], message: e.message }]);
  }
  const details: CrmErrorDetails = { vendorCode: e.vendorCode, vendorMessage: e.vendorMessage, source: e instanceof SelectionError ? 'app' : 'crm' };
  switch (e.code) {
    case 'crm_auth_failed':
      return new ApiError(409, 'crm_auth_failed', e.message, details);
    case 'crm_rate_limited':
      return new ApiError(429, 'crm_rate_limited', e.message, details);
    case 'crm_unavailable':
      return new ApiError(503, 'crm_unavailable', e.message, details);
    case 'crm_error':
      // The CRM's own 400/404 (unknown field, no such object, a filter value of the wrong type) are the request's fault.
      return new ApiError(e.status === 404 ? 404 : e.status >= 400 && e.status < 500 ? 400 : 502, 'crm_error', e.message, details);
  }
}

/** Runs a CRM call, turning its CrmError into the API error the client reads. */
export async function crmCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CrmError) throw crmApiError(e);
    throw e;
  }
}
