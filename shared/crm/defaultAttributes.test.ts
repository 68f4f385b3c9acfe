import { describe, expect, it } from 'vitest';
import { BUILT_IN_FIELDS } from '../fields/builtInFields.ts';
import { defaultAttributePicks, defaultAttributes, deriveValue, domainFromWebsite, pickColumn } from './defaultAttributes.ts';

const fields = (...names: string[]) => names.map((name) => ({ name }));

describe('defaultAttributePicks (Salesforce)', () => {
  it('maps an Account to the company fields, deriving the domain from Website', () => {
    const picks = defaultAttributePicks(
      'salesforce',
      { role: 'company' },
      fields('Id', 'Name', 'Website', 'BillingStreet', 'BillingCity', 'BillingCountry', 'Description', 'YearStarted', 'Industry', 'Phone'),
    );
    expect(picks).toEqual([
      { target: 'company', source: 'Name' },
      { target: 'website', source: 'Website' },
      { target: 'domain', source: 'Website', derive: 'domain' },
      { target: 'street_address', source: 'BillingStreet' },
      { target: 'city', source: 'BillingCity' },
      { target: 'country', source: 'BillingCountry' },
      { target: 'description', source: 'Description' },
      { target: 'year_founded', source: 'YearStarted' },
      { target: 'industry', source: 'Industry' },
    ]);
    expect(defaultAttributes(picks)).toEqual([
      'Name',
      'Website',
      'BillingStreet',
      'BillingCity',
      'BillingCountry',
      'Description',
      'YearStarted',
      'Industry',
    ]);
  });

  it('finds the founding year in a custom field when YearStarted is absent', () => {
    const known = defaultAttributePicks('salesforce', { role: 'company' }, fields('Name', 'Year_Founded__c'));
    expect(known).toContainEqual({ target: 'year_founded', source: 'Year_Founded__c' });
    const ownNaming = defaultAttributePicks('salesforce', { role: 'company' }, fields('Name', 'Acme_Year_Of_Establishment__c'));
    expect(ownNaming).toContainEqual({ target: 'year_founded', source: 'Acme_Year_Of_Establishment__c' });
    const none = defaultAttributePicks('salesforce', { role: 'company' }, fields('Name', 'Fiscal_Year__c'));
    expect(none.map((p) => p.target)).not.toContain('year_founded');
  });

  it('maps a Contact with its mailing country and a Lead with its own country', () => {
    const contact = defaultAttributePicks(
      'salesforce',
      { role: 'lead' },
      fields('FirstName', 'LastName', 'Email', 'MobilePhone', 'Phone', 'Title', 'MailingCountry', 'OtherCountry'),
    );
    expect(contact).toEqual([
      { target: 'first_name', source: 'FirstName' },
      { target: 'last_name', source: 'LastName' },
      { target: 'professional_email', source: 'Email' },
      { target: 'mobile', source: 'MobilePhone' },
      { target: 'job_title', source: 'Title' },
      { target: 'country', source: 'MailingCountry' },
    ]);
    const lead = defaultAttributePicks('salesforce', { role: 'lead' }, fields('FirstName', 'LastName', 'Email', 'Phone', 'Title', 'Country'));
    expect(lead).toContainEqual({ target: 'mobile', source: 'Phone' });
    expect(lead).toContainEqual({ target: 'country', source: 'Country' });
  });

  it('skips what the object does not have and picks nothing for custom objects', () => {
    expect(defaultAttributePicks('salesforce', { role: 'lead' }, fields('LastName'))).toEqual([{ target: 'last_name', source: 'LastName' }]);
    expect(defaultAttributePicks('salesforce', { role: 'custom' }, fields('Name', 'Email'))).toEqual([]);
  });

  it('targets only built-in platform fields, each at most once', () => {
    const keys = new Set(BUILT_IN_FIELDS.map((f) => f.key));
    for (const role of ['lead', 'company'] as const) {
      const picks = defaultAttributePicks(
        'salesforce',
        { role },
        fields('Name', 'Website', 'BillingStreet', 'BillingCity', 'BillingCountry', 'Description', 'YearStarted', 'Industry', 'FirstName', 'LastName', 'Email', 'MobilePhone', 'Title', 'MailingCountry'),
      );
      const targets = picks.map((p) => p.target);
      expect(targets.every((t) => keys.has(t))).toBe(true);
      expect(new Set(targets).size).toBe(targets.length);
    }
  });
});

describe('derived columns', () => {
  it('names a derived column after its source', () => {
    expect(pickColumn({ target: 'domain', source: 'Website', derive: 'domain' })).toBe('Website (domain)');
    expect(pickColumn({ target: 'website', source: 'Website' })).toBe('Website');
  });

  it.each([
    ['https://www.Acme.com/about?x=1', 'acme.com'],
    ['http://shop.acme.co.uk', 'shop.acme.co.uk'],
    ['acme.io', 'acme.io'],
    ['  WWW.Example.ORG/  ', 'example.org'],
    ['www2.example.com', 'example.com'],
    ['https://münchen.de', 'xn--mnchen-3ya.de'],
  ])('domain of %j is %j', (website, domain) => {
    expect(domainFromWebsite(website)).toBe(domain);
    expect(deriveValue('domain', website)).toBe(domain);
  });

  it.each([null, '', '   ', 'not a website', 'localhost', 'mailto:bob@acme.com', 'ftp://acme.com', 'http://10.0.0.1', 'https://-bad-.com'])(
    'no domain for %j',
    (website) => {
      expect(domainFromWebsite(website)).toBeNull();
    },
  );
});
