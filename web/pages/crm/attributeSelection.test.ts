import { describe, expect, it } from 'vitest';
import type { CrmField } from '../../../shared/schema/crm.ts';
import { addAttributes, availableFields, matchesSearch, removeAttributes, selectedFields, splitKnown } from './attributeSelection.ts';

const field = (name: string, label: string): CrmField => ({ name, label, type: 'string', filterable: true });
const FIELDS = [field('Email', 'Email'), field('MobilePhone', 'Mobile Phone'), field('Phone', 'Business Phone'), field('Title', 'Title'), field('Telefono__c', 'Teléfono')];

describe('matchesSearch', () => {
  it('looks at label and API name, every word, ignoring case and accents', () => {
    expect(matchesSearch(FIELDS[4] as CrmField, 'telefono')).toBe(true);
    expect(matchesSearch(FIELDS[1] as CrmField, 'phone mob')).toBe(true);
    expect(matchesSearch(FIELDS[1] as CrmField, 'mobilephone')).toBe(true);
    expect(matchesSearch(FIELDS[0] as CrmField, 'phone')).toBe(false);
    expect(matchesSearch(FIELDS[0] as CrmField, '  ')).toBe(true);
  });
});

describe('the two lists', () => {
  it('offers what is not selected, by label, and keeps the selection in its order', () => {
    expect(availableFields(FIELDS, ['Title', 'Email'], '').map((f) => f.label)).toEqual(['Business Phone', 'Mobile Phone', 'Teléfono']);
    expect(availableFields(FIELDS, ['Title'], 'phone').map((f) => f.name)).toEqual(['Phone', 'MobilePhone']);
    expect(selectedFields(FIELDS, ['Title', 'Email'], '').map((f) => f.name)).toEqual(['Title', 'Email']);
    expect(selectedFields(FIELDS, ['Title', 'Email'], 'mail').map((f) => f.name)).toEqual(['Email']);
  });

  it('still shows a selected field the table lost, by its name', () => {
    expect(selectedFields(FIELDS, ['Gone__c'], '')).toEqual([{ name: 'Gone__c', label: 'Gone__c' }]);
    expect(splitKnown(['Email', 'Gone__c'], FIELDS)).toEqual({ known: ['Email'], missing: ['Gone__c'] });
  });

  it('moves several fields at once both ways without duplicates', () => {
    const added = addAttributes(['Email'], ['Phone', 'Email', 'Title']);
    expect(added).toEqual(['Email', 'Phone', 'Title']);
    expect(removeAttributes(added, ['Email', 'Title'])).toEqual(['Phone']);
  });
});
