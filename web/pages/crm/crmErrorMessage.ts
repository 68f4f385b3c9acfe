import { ApiError } from '../../api/apiError.ts';
import { isRetryable } from '../../api/retryPolicy.ts';

export interface CrmProblem {
  /** One or two sentences a marketer can act on; ends with the CRM's own code when there is one, for support. */
  message: string;
  /** Worth trying again as it is (the CRM is busy or down, the network dropped). */
  retryable: boolean;
  /** The connection's login is no longer accepted: only a new sign-in helps. */
  reconnect: boolean;
}

function vendorCodeOf(error: ApiError): string | null {
  const details = error.details;
  if (details && typeof details === 'object' && 'vendorCode' in details) {
    const code = (details as { vendorCode: unknown }).vendorCode;
    if (typeof code === 'string' && code.trim()) return code.trim();
  }
  return null;
}

const withCode = (text: string, code: string | null) => (code ? `${text} (${code})` : text);

/**
 * A failed call to a CRM through our API, said for the person importing: what happened on the CRM's side, in its
 * name, and what happens next. The vendor code (REQUEST_LIMIT_EXCEEDED, 0x80072322) stays visible for support.
 */
export function crmProblem(error: unknown, crm: string): CrmProblem {
  if (!(error instanceof ApiError)) {
    return { message: `Something went wrong while reading ${crm}: ${error instanceof Error ? error.message : String(error)}`, retryable: false, reconnect: false };
  }
  const code = vendorCodeOf(error);
  switch (error.code) {
    case 'crm_rate_limited':
      return { message: withCode(`${crm} is limiting requests right now`, code) + '.', retryable: true, reconnect: false };
    case 'crm_unavailable':
      return { message: withCode(`${crm} is not answering right now`, code) + '.', retryable: true, reconnect: false };
    case 'crm_auth_failed':
      return {
        message: withCode(`${crm} no longer accepts this connection’s login`, code) + '. Reconnect it to go on; nothing you chose is lost.',
        retryable: false,
        reconnect: true,
      };
    case 'crm_error':
      return { message: withCode(`${crm} refused the request: ${error.message.replace(/\.$/, '')}`, code) + '.', retryable: false, reconnect: false };
    case 'not_found':
      return { message: 'This connection no longer exists. Connect the CRM again on the Integrated systems page.', retryable: false, reconnect: false };
    case 'network':
      return { message: 'No connection to our server right now. Check your network.', retryable: true, reconnect: false };
    default:
      return { message: error.message, retryable: isRetryable(error), reconnect: false };
  }
}
