import { describe, expect, it } from 'vitest';
import type { SyncSettings } from '../../shared/schema/syncs.ts';
import { pullSelection } from './pullSelection.ts';

const settings: SyncSettings = {
  name: 'x',
  object: 'Contact',
  filters: [{ field: 'LastName', operator: 'equals', value: 'Smith' }],
  mapping: { columns: [{ column: 'Email', target: 'email', sensitive: false }, { column: 'SystemModstamp', target: null, sensitive: false }], identifier: 'Email', onMatch: 'update' },
  cycle: 'hourly',
  deletionRule: 'remove_member',
  flagField: 'Sync__c',
  defaultCountry: 'US',
};

describe('pullSelection', () => {
  it('reads the mapped fields, the stamp and the flag once each, and filters on the stamp only when incremental', () => {
    expect(pullSelection(settings, 'SystemModstamp', null)).toEqual({ fields: ['Email', 'SystemModstamp', 'Sync__c'], filters: settings.filters });
    expect(pullSelection(settings, 'SystemModstamp', '2026-11-29T07:55:00Z').filters).toEqual([
      ...settings.filters,
      { field: 'SystemModstamp', operator: 'greater_than', value: '2026-11-29T07:55:00Z' },
    ]);
  });
  it('never filters on the flag: a record whose flag turned false must come back to leave', () => {
    expect(pullSelection(settings, 'modifiedon', null).filters.some((f) => f.field === 'Sync__c')).toBe(false);
  });
});
