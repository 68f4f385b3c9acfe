import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/schema/errors.ts';
import { DomainError } from '../domainError.ts';
import { statusOf } from './errorStatus.ts';

describe('statusOf', () => {
  it('gives every code an error status', () => {
    for (const code of ErrorCode.options) expect(statusOf(new DomainError(code, 'x'))).toBeGreaterThanOrEqual(400);
  });

  it('answers the domain codes with the statuses the API documents', () => {
    const status = (code: ErrorCode) => statusOf(new DomainError(code, 'x'));
    expect([status('validation_failed'), status('not_found'), status('conflict'), status('consent_required'), status('internal')]).toEqual([400, 404, 409, 422, 500]);
  });

  it('answers a server without a CRM’s settings 503, whatever the CRM', () => {
    expect(statusOf(new DomainError('crm_not_configured', 'x'))).toBe(503);
  });

  it('answers a CRM refusal of the request as the request’s fault, and anything else from the CRM as a 502', () => {
    const crm = (upstreamStatus?: number) => statusOf(new DomainError('crm_error', 'x', undefined, upstreamStatus));
    expect([crm(404), crm(400), crm(422), crm(500), crm()]).toEqual([404, 400, 400, 502, 502]);
  });
});
