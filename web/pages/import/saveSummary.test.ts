import { describe, expect, it } from 'vitest';
import type { FieldType } from '../../../shared/schema/fields.ts';
import { saveSummary, templateChanges } from './saveSummary.ts';

const FIELDS: Record<string, { label: string; type: FieldType }> = {
  email: { label: 'Email', type: 'email' },
  phone: { label: 'Mobile phone', type: 'phone' },
  city: { label: 'City', type: 'text' },
};
const fieldOf = (key: string) => FIELDS[key] ?? null;
const label = (key: string) => FIELDS[key]?.label ?? key;

describe('saveSummary', () => {
  it('lists skipped columns, rewritten typed columns, unconfirmed suggestions and problem rows', () => {
    const summary = saveSummary({
      columns: [
        { header: 'Correo', target: 'email', suggested: false, sensitive: false },
        { header: 'Notas', target: null, suggested: false, sensitive: false },
        { header: 'Móvil', target: 'phone', suggested: true, sensitive: true },
        { header: 'Ciudad', target: 'city', suggested: true, sensitive: false },
        { header: 'Id', target: null, suggested: true, sensitive: false },
      ],
      fieldOf,
      problems: { problemRows: 3, rejectedRows: 1 },
    });
    expect(summary.notImported).toEqual(['Notas', 'Id']);
    expect(summary.normalized.map((n) => [n.header, n.field])).toEqual([
      ['Correo', 'Email'],
      ['Móvil', 'Mobile phone'],
    ]);
    expect(summary.normalized[0]?.how).toContain('lowercased');
    expect(summary.normalized[1]?.how).toContain('E.164');
    // A suggestion of "don't import" is not a mapping to confirm; the text column is kept as typed, so not rewritten.
    expect(summary.unconfirmed).toEqual([
      { column: 2, header: 'Móvil', field: 'Mobile phone' },
      { column: 3, header: 'Ciudad', field: 'City' },
    ]);
    expect([summary.problemRows, summary.rejectedRows]).toEqual([3, 1]);
  });

  it('names a field it does not know yet by its key and counts no problems before the check', () => {
    const summary = saveSummary({ columns: [{ header: 'X', target: 'custom_x', suggested: false, sensitive: false }], fieldOf, problems: null });
    expect(summary).toEqual({ notImported: [], normalized: [], unconfirmed: [], problemRows: 0, rejectedRows: 0 });
  });
});

describe('templateChanges', () => {
  const before = {
    columns: [
      { header: 'Correo', target: 'email', sensitive: false },
      { header: 'Móvil', target: 'phone', sensitive: false },
      { header: 'Ciudad', target: null, sensitive: false },
    ],
    identifier: 'Correo',
    onMatch: 'update' as const,
  };

  it('says every setting a template changed, the on-match rule included', () => {
    const after = {
      columns: [
        { header: 'Correo', target: 'email', sensitive: false },
        { header: 'Móvil', target: 'phone', sensitive: true },
        { header: 'Ciudad', target: 'city', sensitive: false },
      ],
      identifier: 'Móvil',
      onMatch: 'reject' as const,
    };
    expect(templateChanges(before, after, label)).toEqual([
      '“Móvil”: marked sensitive',
      '“Ciudad”: not imported → City',
      'Identifier: “Correo” → “Móvil”',
      'When a contact exists: update the existing member → reject the new row',
    ]);
  });

  it('is empty when the template matches what was on screen', () => {
    expect(templateChanges(before, before, label)).toEqual([]);
  });
});
