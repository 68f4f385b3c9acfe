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

  it('passes on why the CRM refused a selection once: its name and its code are said one time each', () => {
    const refused = new ApiError('Salesforce says: unexpected token: \'OR\' (MALFORMED_QUERY)', 400, 'crm_error', {
      vendorCode: 'MALFORMED_QUERY',
      vendorMessage: "unexpected token: 'OR'",
    });
    expect(crmProblem(refused, 'Salesforce').message).toBe("Salesforce refused the request: unexpected token: 'OR' (MALFORMED_QUERY).");
    const dataverse = new ApiError("Dynamics 365: Could not find a property named 'x'.", 400, 'crm_error', { vendorCode: '0x80060888', vendorMessage: "Could not find a property named 'x'." });
    expect(crmProblem(dataverse, 'Dynamics 365').message).toBe("Dynamics 365 refused the request: Could not find a property named 'x' (0x80060888).");
  });

  it('does not word a check of our own as the CRM’s refusal', () => {
    const ours = new ApiError('Filter on "NumberOfEmployees": "many" is not a number', 400, 'crm_error', { vendorCode: null, vendorMessage: null });
    expect(crmProblem(ours, 'Salesforce')).toEqual({ message: 'Filter on "NumberOfEmployees": "many" is not a number.', retryable: false, reconnect: false });
    const unknownField = new ApiError('Field "Fax_Old__c" is not a field of this object', 400, 'crm_error', { vendorCode: 'INVALID_FIELD', vendorMessage: null });
    expect(crmProblem(unknownField, 'Salesforce').message).toBe('Field "Fax_Old__c" is not a field of this object.');
  });

  it('retries a lost connection to our own server', () => {
    expect(crmProblem(new ApiError('offline', 0, 'network'), 'Salesforce').retryable).toBe(true);
  });
});
