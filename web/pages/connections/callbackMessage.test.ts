import { describe, expect, it } from 'vitest';
import { callbackOutcome, rememberConnecting, takeConnecting } from './callbackMessage.ts';

describe('callbackOutcome', () => {
  it('reads the connection the sign-in made', () => {
    expect(callbackOutcome('?connected=abc')).toEqual({ kind: 'connected', connectionId: 'abc' });
  });

  it('says every error code the callbacks send in the CRM’s name', () => {
    const codes = ['invalid_state', 'login_expired', 'access_denied', 'login_failed', 'different_account', 'crm_auth_failed', 'crm_unavailable', 'crm_rate_limited', 'crm_error', 'crm_not_configured'];
    for (const code of codes) {
      const outcome = callbackOutcome(`?error=${code}`, 'Salesforce');
      expect(outcome?.kind).toBe('error');
      expect(outcome && 'message' in outcome ? outcome.message : '').toContain('Salesforce');
    }
    expect(callbackOutcome('?error=access_denied', 'Salesforce')).toEqual({
      kind: 'error',
      code: 'access_denied',
      message: 'Access was not allowed at Salesforce. To import from it, connect again and choose Allow when Salesforce asks.',
    });
  });

  it('still says something for a code it does not know, and nothing without a result', () => {
    expect(callbackOutcome('?error=teapot')).toMatchObject({ kind: 'error', message: expect.stringContaining('your CRM') });
    expect(callbackOutcome('')).toBeNull();
  });
});

describe('the CRM remembered across the round trip', () => {
  it('is read once', () => {
    const map = new Map<string, string>();
    const storage = { setItem: (k: string, v: string) => void map.set(k, v), getItem: (k: string) => map.get(k) ?? null, removeItem: (k: string) => void map.delete(k) };
    rememberConnecting('Dynamics 365', storage);
    expect(takeConnecting(storage)).toBe('Dynamics 365');
    expect(takeConnecting(storage)).toBeNull();
  });
});
