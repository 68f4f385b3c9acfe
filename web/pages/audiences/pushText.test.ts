import { describe, expect, it } from 'vitest';
import type { PushCompanyLine } from '../../../shared/schema/crmPush.ts';
import { changesText } from './pushText.ts';

const acme: PushCompanyLine = { company: 'Acme Rockets', recordId: '001000000000001AAA', action: 'created', message: null, vendorCode: null, memberCount: 1, members: ['ann@acme.example'] };

describe('the push report’s words', () => {
  it('labels properties as the CRM does and names the Account a person was linked to', () => {
    expect(
      changesText(
        [
          { crmProperty: 'FirstName', crmValue: null, newValue: 'Ann' },
          { crmProperty: 'AccountId', crmValue: null, newValue: '001000000000001AAA' },
          { crmProperty: 'Custom_Field_001__c', crmValue: 'x', newValue: null },
        ],
        { FirstName: 'First Name', AccountId: 'Account ID' },
        [acme],
      ),
    ).toBe('First Name: Ann, Account ID: Acme Rockets, Custom_Field_001__c: (empty)');
  });

  it('keeps an id no company of the report has, and prefers a name the line carries', () => {
    expect(changesText([{ crmProperty: 'OwnerId', crmValue: null, newValue: '005000000000009' }], {}, [acme])).toBe('OwnerId: 005000000000009');
    expect(changesText([{ crmProperty: 'OwnerId', crmValue: null, newValue: '005000000000009', newValueName: 'Seán' }], {}, [])).toBe('OwnerId: Seán');
  });
});
