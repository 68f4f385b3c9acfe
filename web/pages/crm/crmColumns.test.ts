import { describe, expect, it } from 'vitest';
import { defaultAttributePicks } from '../../../shared/crm/defaultAttributes.ts';
import type { CrmField } from '../../../shared/schema/crm.ts';
import { planColumns, premapColumns, recordRow } from './crmColumns.ts';

const field = (name: string, label: string): CrmField => ({ name, label, type: 'string', filterable: true });
const CONTACT = [field('FirstName', 'First Name'), field('LastName', 'Last Name'), field('Email', 'Email'), field('MobilePhone', 'Mobile Phone'), field('Phone', 'Business Phone'), field('Title', 'Title'), field('MailingCountry', 'Mailing Country')];
const ACCOUNT = [field('Name', 'Account Name'), field('Website', 'Website'), field('Industry', 'Industry')];

describe('planColumns', () => {
  it('names columns after the fields’ labels, in the selected order', () => {
    const columns = planColumns(['Email', 'FirstName', 'Phone'], CONTACT, []);
    expect(columns).toEqual([
      { header: 'Email', source: 'Email' },
      { header: 'First Name', source: 'FirstName' },
      { header: 'Business Phone', source: 'Phone' },
    ]);
  });

  it('adds the derived domain column after the website it comes from', () => {
    const picks = defaultAttributePicks('salesforce', { role: 'company' }, ACCOUNT);
    expect(planColumns(['Name', 'Website'], ACCOUNT, picks).map((c) => c.header)).toEqual(['Account Name', 'Website', 'Website (domain)']);
  });

  it('keeps headers distinct when two fields share a label', () => {
    const fields = [field('Email', 'Email'), field('Email__c', 'email')];
    expect(planColumns(['Email', 'Email__c', 'Unknown__c'], fields, []).map((c) => c.header)).toEqual(['Email', 'email (2)', 'Unknown__c']);
  });
});

describe('recordRow', () => {
  it('reads each column’s field, empty for missing values, and derives the domain', () => {
    const columns = planColumns(['Name', 'Website'], ACCOUNT, defaultAttributePicks('salesforce', { role: 'company' }, ACCOUNT));
    expect(recordRow({ Name: 'Acme', Website: 'https://www.Acme.com/about' }, columns)).toEqual(['Acme', 'https://www.Acme.com/about', 'acme.com']);
    expect(recordRow({ Name: null }, columns)).toEqual(['', '', '']);
  });
});

describe('premapColumns', () => {
  it('pre-maps the default fields as suggestions and proposes the email as identifier', () => {
    const picks = defaultAttributePicks('salesforce', { role: 'lead' }, CONTACT);
    const columns = planColumns(['FirstName', 'Email', 'MobilePhone', 'Phone'], CONTACT, picks);
    const none = columns.map(() => ({ target: null, suggested: false }));
    const out = premapColumns(columns, picks, none, 'Default for Salesforce Contacts');
    expect(out.columns.map((c) => [c.header, c.target, c.suggested])).toEqual([
      ['First Name', 'first_name', true],
      ['Email', 'professional_email', true],
      ['Mobile Phone', 'mobile', true],
      ['Business Phone', null, false],
    ]);
    expect(out.columns[1]?.reason).toBe('Default for Salesforce Contacts');
    expect(out.identifier).toBe('Email');
  });

  it('lets name suggestions map the other columns, but never to a field a default already feeds', () => {
    const picks = defaultAttributePicks('salesforce', { role: 'lead' }, CONTACT);
    const columns = planColumns(['MobilePhone', 'Phone', 'Title'], CONTACT, picks);
    const suggested = [
      { target: 'mobile', suggested: true },
      { target: 'mobile', suggested: true, reason: 'looks like phone numbers' },
      { target: 'job_title', suggested: true },
    ];
    const out = premapColumns(columns, picks, suggested, 'default');
    expect(out.columns.map((c) => c.target)).toEqual(['mobile', null, 'job_title']);
    expect(out.identifier).toBe('Mobile Phone');
  });
});
