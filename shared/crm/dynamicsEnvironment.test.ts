import { describe, expect, it } from 'vitest';
import { dynamicsEnvironmentOrigin, isTenant } from './dynamicsEnvironment.ts';

describe('dynamicsEnvironmentOrigin', () => {
  it.each([
    ['https://contoso.crm.dynamics.com', 'https://contoso.crm.dynamics.com'],
    ['https://Contoso.CRM4.dynamics.com/', 'https://contoso.crm4.dynamics.com'],
    ['contoso.crm.dynamics.com', 'https://contoso.crm.dynamics.com'],
    ['https://contoso.crm.dynamics.com/main.aspx?appid=1', 'https://contoso.crm.dynamics.com'],
    ['https://contoso.crm.microsoftdynamics.us', 'https://contoso.crm.microsoftdynamics.us'],
    ['https://contoso.crm.dynamics.cn', 'https://contoso.crm.dynamics.cn'],
  ])('accepts %j as %j', (input, origin) => {
    expect(dynamicsEnvironmentOrigin(input)).toBe(origin);
  });

  it.each([
    'http://contoso.crm.dynamics.com',
    'https://contoso.crm.dynamics.com.evil.com',
    'https://evil.com/contoso.crm.dynamics.com',
    'https://dynamics.com',
    'https://user:pw@contoso.crm.dynamics.com',
    'https://contoso.crm.dynamics.com:8443',
    'https://127.0.0.1',
    'ftp://contoso.crm.dynamics.com',
    '',
    'not a url at all',
  ])('refuses %j', (input) => {
    expect(dynamicsEnvironmentOrigin(input)).toBeNull();
  });

  it('accepts an origin the deployment lists, exactly', () => {
    expect(dynamicsEnvironmentOrigin('https://crm.contoso.local/', ['https://crm.contoso.local'])).toBe('https://crm.contoso.local');
    expect(dynamicsEnvironmentOrigin('http://127.0.0.1:8787', ['http://127.0.0.1:8787'])).toBe('http://127.0.0.1:8787');
    expect(dynamicsEnvironmentOrigin('http://127.0.0.1:8788', ['http://127.0.0.1:8787'])).toBeNull();
  });
});

describe('isTenant', () => {
  it('takes tenant ids and verified domains', () => {
    expect(isTenant('72f988bf-86f1-41af-91ab-2d7cd011db47', { allowOrganizations: false })).toBe(true);
    expect(isTenant('contoso.onmicrosoft.com', { allowOrganizations: false })).toBe(true);
  });

  it('takes organizations only for the delegated flow, and nothing that could change the authority path', () => {
    expect(isTenant('organizations', { allowOrganizations: true })).toBe(true);
    expect(isTenant('organizations', { allowOrganizations: false })).toBe(false);
    for (const bad of ['../evil', 'contoso.com/oauth2', 'a b', '', 'common?x=1', 'localhost']) expect(isTenant(bad, { allowOrganizations: true })).toBe(false);
  });
});
