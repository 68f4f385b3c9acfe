import { describe, expect, it } from 'vitest';
import type { CrmObject } from '../../../shared/schema/crm.ts';
import { orderObjects } from './objectOrder.ts';

const object = (name: string, label: string, role: CrmObject['role'], custom = false): CrmObject => ({ name, label, role, custom });

describe('orderObjects', () => {
  it('puts Contacts, Leads and Accounts first, then other standard tables, then custom ones by label', () => {
    const listed = [
      object('Account', 'Account', 'company'),
      object('Invoice__c', 'Invoice', 'custom', true),
      object('Contact', 'Contact', 'lead'),
      object('Archive__c', 'Archive', 'custom', true),
      object('Lead', 'Lead', 'lead'),
    ];
    expect(orderObjects(listed).map((o) => o.name)).toEqual(['Contact', 'Lead', 'Account', 'Archive__c', 'Invoice__c']);
  });

  it('ranks Dataverse logical names the same way', () => {
    const listed = [object('account', 'Account', 'company'), object('lead', 'Lead', 'lead'), object('contact', 'Contact', 'lead')];
    expect(orderObjects(listed).map((o) => o.name)).toEqual(['contact', 'lead', 'account']);
  });

  it('keeps a table with a saved import listed when the CRM stopped listing it', () => {
    const ordered = orderObjects([object('Contact', 'Contact', 'lead')], [{ object: 'Gone__c' }, { object: 'Contact' }]);
    expect(ordered).toEqual([object('Contact', 'Contact', 'lead'), object('Gone__c', 'Gone__c', 'custom', true)]);
  });
});
