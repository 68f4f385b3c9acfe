import { describe, expect, it } from 'vitest';
import { AuthorizeSalesforceBody } from '../schema/connections.ts';
import { salesforceLoginOrigin } from './salesforceLoginHost.ts';

describe('salesforceLoginOrigin', () => {
  it.each([
    ['https://acme.my.salesforce.com', 'https://acme.my.salesforce.com'],
    ['https://Acme.My.Salesforce.com/', 'https://acme.my.salesforce.com'],
    ['acme.my.salesforce.com', 'https://acme.my.salesforce.com'],
    ['https://acme--uat.sandbox.my.salesforce.com/services', 'https://acme--uat.sandbox.my.salesforce.com'],
    ['https://login.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme.my.salesforce.mil', 'https://acme.my.salesforce.mil'],
    ['https://acme.lightning.force.com', 'https://acme.lightning.force.com'],
  ])('accepts %j as %j', (input, origin) => {
    expect(salesforceLoginOrigin(input)).toBe(origin);
  });

  it.each([
    'http://acme.my.salesforce.com',
    'https://acme.my.salesforce.com:8443',
    'https://user:pass@acme.my.salesforce.com',
    'https://salesforce.com',
    'https://acme.my.salesforce.com.evil.example',
    'https://evilsalesforce.com',
    'https://acme.my-salesforce.com',
    'https://127.0.0.1',
    'javascript:alert(1)',
    'https://acme.my.salesforce.com%2F@evil.example',
    'https://ac_me.my.salesforce.com',
    '',
  ])('refuses %j', (input) => {
    expect(salesforceLoginOrigin(input)).toBeNull();
  });

  it('is what the authorize body accepts next to production and sandbox', () => {
    expect(AuthorizeSalesforceBody.safeParse({ loginHost: 'production' }).success).toBe(true);
    expect(AuthorizeSalesforceBody.safeParse({ loginHost: 'sandbox' }).success).toBe(true);
    expect(AuthorizeSalesforceBody.safeParse({ loginHost: 'https://acme.my.salesforce.com' }).success).toBe(true);
    const bad = AuthorizeSalesforceBody.safeParse({ loginHost: 'https://evil.example' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['loginHost']);
  });
});
