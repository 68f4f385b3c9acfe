import { CrmError } from '../connectors/connector.ts';
import { DomainError } from '../domainError.ts';

export type RunError = { code: string; message: string };

/** Why a run failed, in the words a marketer reads on the sync card; the code says what to do (reconnect or wait). */
export function runErrorOf(e: unknown): RunError {
  if (e instanceof CrmError) {
    switch (e.code) {
      case 'crm_auth_failed':
        return { code: e.code, message: 'The CRM no longer accepts this connection’s login. Reconnect it on this page; the sync continues after that.' };
      case 'crm_rate_limited':
        return { code: e.code, message: 'The CRM asked us to slow down (too many requests). The next run tries again.' };
      case 'crm_unavailable':
        return { code: e.code, message: 'The CRM did not answer. The next run tries again.' };
      default:
        return { code: e.code, message: `The CRM refused to send the records: ${e.message}` };
    }
  }
  if (e instanceof DomainError) {
    if (e.code === 'validation_failed') return { code: e.code, message: `The sync’s mapping no longer fits the audience: ${e.message}. Edit the sync to fix it.` };
    if (e.code === 'not_found') return { code: e.code, message: 'The CRM connection or the audience of this sync no longer exists.' };
    return { code: e.code, message: e.message };
  }
  return { code: 'internal', message: 'Something went wrong on our side. The next run tries again.' };
}
