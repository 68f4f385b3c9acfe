import { describe, expect, it } from 'vitest';
import type { FieldChange } from '../schema/crmExport.ts';
import { lookupIdsOf, lookupKey, lookupProperties, withLookupNames, type LookupTarget } from './lookupNames.ts';

describe('lookup names in a preview', () => {
  it('knows the owner and the company link of each CRM’s people table', () => {
    expect([...lookupProperties('salesforce', 'contact', 'OwnerId')]).toEqual([
      ['ownerid', 'user'],
      ['accountid', 'company'],
    ]);
    // A lead names its company in text: only the owner is a lookup.
    expect([...lookupProperties('salesforce', 'lead', 'OwnerId')]).toEqual([['ownerid', 'user']]);
    expect([...lookupProperties('dynamics', 'contact', 'ownerid')]).toEqual([
      ['ownerid', 'user'],
      ['parentcustomerid', 'company'],
    ]);
  });

  it('keys the forms of one id alike: Salesforce 15/18 characters, Dataverse GUIDs in any case and with their table', () => {
    expect(lookupKey('salesforce', '001000000000001AAA')).toBe(lookupKey('salesforce', '001000000000001'));
    expect(lookupKey('salesforce', '001000000000001aaa')).toBe('001000000000001');
    expect(lookupKey('dynamics', 'contact:AB12CD34-0000-0000-0000-000000000001')).toBe('ab12cd34-0000-0000-0000-000000000001');
  });

  const lookups = lookupProperties('salesforce', 'contact', 'OwnerId');
  const sample: FieldChange[][] = [
    [
      { crmProperty: 'AccountId', crmValue: '001000000000001AAA', newValue: '001000000000002AAA' },
      { crmProperty: 'FirstName', crmValue: 'Ann', newValue: 'Anna' },
    ],
    [
      { crmProperty: 'OwnerId', crmValue: null, newValue: '005000000000009' },
      { crmProperty: 'AccountId', crmValue: null, newValue: '001000000000002' },
    ],
  ];

  it('collects each target’s ids once, from values now and after, never from other fields', () => {
    expect(lookupIdsOf('salesforce', sample, lookups)).toEqual(
      new Map<LookupTarget, string[]>([
        ['company', ['001000000000001AAA', '001000000000002']],
        ['user', ['005000000000009']],
      ]),
    );
  });

  it('names both sides of a lookup change and leaves other fields and unnamed ids as they are', () => {
    const names = new Map<LookupTarget, Map<string, string>>([
      ['company', new Map([['001000000000002', 'Acme Corp']])],
      ['user', new Map([['005000000000009', 'Seán O’Brien']])],
    ]);
    expect(withLookupNames('salesforce', sample[0] ?? [], lookups, names)).toEqual([
      // The Account now is gone from the CRM (or not readable): its id alone.
      { crmProperty: 'AccountId', crmValue: '001000000000001AAA', newValue: '001000000000002AAA', newValueName: 'Acme Corp' },
      { crmProperty: 'FirstName', crmValue: 'Ann', newValue: 'Anna' },
    ]);
    expect(withLookupNames('salesforce', sample[1] ?? [], lookups, names)).toEqual([
      { crmProperty: 'OwnerId', crmValue: null, newValue: '005000000000009', newValueName: 'Seán O’Brien' },
      { crmProperty: 'AccountId', crmValue: null, newValue: '001000000000002', newValueName: 'Acme Corp' },
    ]);
  });
});
