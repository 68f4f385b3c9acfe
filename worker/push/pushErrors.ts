import { CrmError } from '../connectors/connector.ts';
import { DomainError } from '../domainError.ts';

export type PushError = { code: string; message: string };

/** Why a push stopped, in the words a marketer reads in the push dialog and the report. */
export function pushErrorOf(e: unknown): PushError {
  if (e instanceof CrmError) {
    switch (e.code) {
      case 'crm_auth_failed':
        return { code: e.code, message: 'The CRM no longer accepts this connection’s login. An admin reconnects it; then push again (records already written are updated, not duplicated).' };
      case 'crm_rate_limited':
        return { code: e.code, message: 'The CRM asked us to slow down (too many requests) and kept refusing. Push again later: it continues where it stopped.' };
      case 'crm_unavailable':
        return { code: e.code, message: 'The CRM did not answer. Push again later: records already written are updated, not duplicated.' };
      default:
        return { code: e.code, message: `The CRM refused the request: ${e.message}` };
    }
  }
  if (e instanceof DomainError) return { code: e.code, message: e.message };
  return { code: 'internal', message: 'Something went wrong on our side. Push again: records already written are updated, not duplicated.' };
}
