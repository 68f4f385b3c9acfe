import { describe, expect, it } from 'vitest';
import { BUILT_IN_FIELDS } from '../../shared/fields/builtInFields.ts';
import { StartImportBody } from '../../shared/schema/imports.ts';
import { buildImportPlan } from './importPlan.ts';

const body = (columns: { column: string; target: string | null; sensitive?: boolean }[], identifier: string, headers?: string[]) =>
  StartImportBody.parse({
    audienceName: 'A',
    source: { kind: 'csv', fileName: 'a.csv', headers: headers ?? columns.map((c) => c.column) },
    mapping: { columns, identifier },
    consent: { doubleOptIn: true },
  });

const fields = [...BUILT_IN_FIELDS, { key: 'tier', label: 'Tier', type: 'number' as const, builtIn: false }];

describe('buildImportPlan', () => {
  it('resolves field types for the imported columns, in value order, and finds the identifier among them', () => {
    const result = buildImportPlan(
      body(
        [
          { column: 'Notes', target: null },
          { column: 'Tier', target: 'tier' },
          { column: 'Mail', target: 'email', sensitive: true },
        ],
        'Mail',
        ['Notes', 'Tier', 'Mail', 'Unmapped'],
      ),
      fields,
    );
    expect(result).toEqual({
      ok: true,
      plan: {
        headerCount: 4,
        columns: [
          { column: 'Tier', target: 'tier', type: 'number', sensitive: false },
          { column: 'Mail', target: 'email', type: 'email', sensitive: true },
        ],
        identifierIndex: 1,
        onMatch: 'update',
        defaultCountry: 'US',
      },
    });
  });

  it('names unknown fields and columns missing from the source', () => {
    const result = buildImportPlan(body([{ column: 'Mail', target: 'e_mail' }, { column: 'Ghost', target: 'city' }], 'Mail', ['Mail']), fields);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual([
      ['mapping', 'columns', 0, 'target'],
      ['mapping', 'columns', 1, 'column'],
    ]);
  });
});
