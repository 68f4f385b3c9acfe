import { describe, expect, it } from 'vitest';
import { syncFromImport } from './syncFromImport.ts';

const fields = [
  { name: 'Email', label: 'Email' },
  { name: 'FirstName', label: 'First Name' },
  { name: 'Website', label: 'Website' },
];
const summary = {
  source: { kind: 'salesforce' as const, connectionId: 'c1', object: 'Contact', headers: ['Email', 'First Name', 'Website', 'Website (domain)'] },
  mapping: {
    columns: [
      { column: 'Email', target: 'email', sensitive: true },
      { column: 'First Name', target: 'first_name', sensitive: false },
      { column: 'Website', target: null, sensitive: false },
      { column: 'Website (domain)', target: 'domain', sensitive: false },
    ],
    identifier: 'Email',
    onMatch: 'update' as const,
  },
  defaultCountry: 'FR',
};

describe('syncFromImport', () => {
  it('turns the grid headers back into field names and keeps filters, key field and sensitivity', () => {
    const filters = [{ field: 'LastName', operator: 'equals' as const, value: 'X' }];
    const draft = syncFromImport(summary, { attributes: ['Email', 'FirstName', 'Website'], filters }, fields, 'hourly', 'Contacts');
    expect(draft).toEqual({
      ok: true,
      leftOut: ['Website (domain)'],
      settings: {
        name: 'Contacts',
        object: 'Contact',
        filters,
        mapping: {
          columns: [
            { column: 'Email', target: 'email', sensitive: true },
            { column: 'FirstName', target: 'first_name', sensitive: false },
            { column: 'Website', target: null, sensitive: false },
          ],
          identifier: 'Email',
          onMatch: 'update',
        },
        cycle: 'hourly',
        deletionRule: 'remove_member',
        flagField: null,
        defaultCountry: 'FR',
      },
    });
  });

  it('cannot sync a key field computed in the browser, nor a file', () => {
    const derivedKey = { ...summary, mapping: { ...summary.mapping, identifier: 'Website (domain)' } };
    expect(syncFromImport(derivedKey, null, fields, 'daily', 'x')).toMatchObject({ ok: false });
    const csv = { ...summary, source: { kind: 'csv' as const, fileName: 'a.csv', headers: ['Email'] } };
    expect(syncFromImport(csv, null, fields, 'daily', 'x')).toMatchObject({ ok: false, reason: expect.stringMatching(/CRM/) });
  });
});
