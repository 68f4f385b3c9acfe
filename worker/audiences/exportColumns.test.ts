import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ImportPlan } from '../imports/importPlan.ts';
import { customerMatchColumns, exportCells, exportColumns } from './exportColumns.ts';

const sha256 = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
const plan = (columns: ImportPlan['columns']): ImportPlan => ({ headerCount: columns.length, columns, identifierIndex: 0, onMatch: 'update', defaultCountry: 'US' });
const fields = [
  { key: 'email', label: 'Email', type: 'email' as const, builtIn: true },
  { key: 'first_name', label: 'First name', type: 'first_name' as const, builtIn: true },
  { key: 'postal_code', label: 'Postal code', type: 'text' as const, builtIn: true },
];

describe('exportColumns', () => {
  it('lists fields in import order and hashes a field any import marked sensitive', () => {
    const columns = exportColumns(
      [
        plan([
          { column: 'E', target: 'email', type: 'email', sensitive: false },
          { column: 'F', target: 'first_name', type: 'first_name', sensitive: false },
        ]),
        plan([{ column: 'Mail', target: 'email', type: 'email', sensitive: true }]),
      ],
      fields,
    );
    expect(columns.map((c) => [c.header, c.hashed])).toEqual([
      ['Email (SHA-256)', true],
      ['First name', false],
    ]);
  });
});

describe('exportCells', () => {
  const columns = exportColumns([plan([{ column: 'E', target: 'email', type: 'email', sensitive: true }, { column: 'F', target: 'first_name', type: 'first_name', sensitive: false }])], fields);
  const openAll = async (xs: readonly string[]) => xs.map((s) => s.replace(/^sealed:/, ''));
  const sha256All = async (xs: readonly string[]) => xs.map(sha256);

  it('hashes the opened sensitive value from its hash input and keeps plain values', async () => {
    const [cells] = await exportCells([{ attributes: { first_name: 'Ada' }, sealed: { email: 'sealed:Ada@Example.com' } }], columns, openAll, sha256All);
    expect(cells).toEqual([sha256('ada@example.com'), 'Ada']);
    expect(cells?.join()).not.toContain('Example');
  });

  it('hashes a plain value of a sensitive column too, and leaves missing values empty', async () => {
    expect(await exportCells([{ attributes: { email: 'bo@x.io' }, sealed: {} }], columns, openAll, sha256All)).toEqual([[sha256('bo@x.io'), '']]);
  });
});

describe('customerMatchColumns', () => {
  it('maps fields to Google columns, hashing names and contacts, not country and zip', () => {
    const columns = exportColumns([plan([{ column: 'E', target: 'email', type: 'email', sensitive: false }, { column: 'Z', target: 'postal_code', type: 'text', sensitive: false }])], fields);
    expect(customerMatchColumns(columns).map((c) => c && [c.header, c.key, c.hashed])).toEqual([
      ['Email', 'email', true],
      null,
      null,
      null,
      null,
      ['Zip', 'postal_code', false],
    ]);
  });
});
