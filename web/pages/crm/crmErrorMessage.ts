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

function detailOf(error: ApiError, key: 'vendorCode' | 'vendorMessage'): string | null {
  const details = error.details;
  if (details && typeof details === 'object' && key in details) {
    const value = (details as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return null;
}

const withCode = (text: string, code: string | null) => (code && !text.includes(`(${code})`) ? `${text} (${code})` : text);
const sentence = (text: string) => {
  const trimmed = text.trim().replace(/\.$/, '');
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
};

/**
 * The words of a refusal without what we add around them: the Worker may already have said "Salesforce says: …
 * (CODE)", and the notice names the CRM and the code itself, once.
 */
function bare(text: string, crm: string, code: string | null): string {
  let said = text.trim().replace(/\.$/, '');
  for (const prefix of [`${crm} says:`, `${crm}:`]) if (said.startsWith(prefix)) said = said.slice(prefix.length).trim();
  if (code && said.endsWith(`(${code})`)) said = said.slice(0, -`(${code})`.length).trim();
  return said.replace(/\.$/, '');
}

/**
 * A failed call to a CRM through our API, said for the person importing: what happened on the CRM's side, in its
 * name, and what happens next. The vendor code (REQUEST_LIMIT_EXCEEDED, 0x80072322) stays visible for support.
 */
export function crmProblem(error: unknown, crm: string): CrmProblem {
  if (!(error instanceof ApiError)) {
    return { message: `Something went wrong while reading ${crm}: ${error instanceof Error ? error.message : String(error)}`, retryable: false, reconnect: false };
  }
  const code = detailOf(error, 'vendorCode');
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
    case 'crm_error': {
      // Only what the CRM itself answered is its refusal; a check of ours (a filter value, a field name, a missing
      // setting) carries no vendor message and is said as it is.
      const vendorMessage = detailOf(error, 'vendorMessage');
      if (vendorMessage) return { message: withCode(`${crm} refused the request: ${bare(vendorMessage, crm, code)}`, code) + '.', retryable: false, reconnect: false };
      return { message: sentence(bare(error.message, crm, code)), retryable: false, reconnect: false };
    }
    case 'not_found':
      return { message: 'This connection no longer exists. Connect the CRM again on the Integrated systems page.', retryable: false, reconnect: false };
    case 'network':
      return { message: 'No connection to our server right now. Check your network.', retryable: true, reconnect: false };
    default:
      return { message: error.message, retryable: isRetryable(error), reconnect: false };
  }
}
