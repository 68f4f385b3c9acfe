import { describe, expect, it } from 'vitest';
import { ApiError, type ClientErrorCode } from '../../api/apiError.ts';
import { crmProblem } from './crmErrorMessage.ts';

const crmError = (status: number, code: ClientErrorCode, message: string, vendorCode: string | null) =>
  new ApiError(message, status, code, { vendorCode, vendorMessage: 'raw vendor text' });

describe('crmProblem', () => {
  it('says a rate limit in the CRM’s name, keeps the vendor code, and lets it be retried', () => {
    const problem = crmProblem(crmError(429, 'crm_rate_limited', 'Your Salesforce org has used up its API requests', 'REQUEST_LIMIT_EXCEEDED'), 'Salesforce');
    expect(problem).toEqual({ message: 'Salesforce is limiting requests right now (REQUEST_LIMIT_EXCEEDED).', retryable: true, reconnect: false });
  });

  it('treats an unavailable CRM as worth another try', () => {
    const problem = crmProblem(crmError(503, 'crm_unavailable', 'Dynamics 365 is unavailable right now', '0x80040216'), 'Dynamics 365');
    expect(problem.message).toBe('Dynamics 365 is not answering right now (0x80040216).');
    expect(problem.retryable).toBe(true);
  });

  it('asks for a new login when the CRM refuses the session', () => {
    const problem = crmProblem(crmError(409, 'crm_auth_failed', 'Salesforce did not accept our session.', 'INVALID_SESSION_ID'), 'Salesforce');
    expect(problem.reconnect).toBe(true);
    expect(problem.retryable).toBe(false);
    expect(problem.message).toMatch(/^Salesforce no longer accepts this connection’s login \(INVALID_SESSION_ID\)\. Reconnect/);
  });

  it('passes on why the CRM refused a selection, without a code when it gave none', () => {
    const problem = crmProblem(crmError(400, 'crm_error', 'Filter on "NumberOfEmployees": "many" is not a number', null), 'Salesforce');
    expect(problem).toEqual({ message: 'Salesforce refused the request: Filter on "NumberOfEmployees": "many" is not a number.', retryable: false, reconnect: false });
  });

  it('retries a lost connection to our own server', () => {
    expect(crmProblem(new ApiError('offline', 0, 'network'), 'Salesforce').retryable).toBe(true);
  });
});
