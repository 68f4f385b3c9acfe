import { describe, expect, it } from 'vitest';
import type { PrivateBatchRow } from '../../shared/schema/imports.ts';
import type { ImportPlan } from '../imports/importPlan.ts';
import { batchModeProblem } from './batchMode.ts';

const plan = (privacy: boolean, columns: ImportPlan['columns'] = TWO_COLUMNS): ImportPlan => ({
  headerCount: columns.length,
  columns,
  identifierIndex: 0,
  onMatch: 'update',
  defaultCountry: 'US',
  ...(privacy ? { privacy: true } : {}),
});
const TWO_COLUMNS: ImportPlan['columns'] = [
  { column: 'Email', target: 'email', type: 'email', sensitive: true },
  { column: 'City', target: 'city', type: 'text', sensitive: false },
];
const sealing = { keyId: 'wk', ephemeralKey: 'A'.repeat(87) };
const sealed = { h: 'a'.repeat(64), c: 'b'.repeat(40) };
const along = { h: 'c'.repeat(64) };
const refused = { problem: 'invalid_email' as const, message: 'Not a valid email address (missing @).', hint: 'missing @' };

describe('batchModeProblem', () => {
  it('accepts a privacy batch of sealed, refused and blank sensitive cells, and a plain batch of text', () => {
    const rows: PrivateBatchRow[] = [
      { row: 1, values: [sealed, 'Paris'] },
      { row: 2, values: [refused, ''] },
      { row: 3, values: ['  ', 'Rome'] },
    ];
    expect(batchModeProblem(rows, plan(true), sealing)).toBeNull();
    expect(batchModeProblem([{ row: 1, values: ['ada@example.com', 'Paris'] }], plan(false), undefined)).toBeNull();
  });

  it('refuses a privacy batch without sealing, or with a plain sensitive value, naming row and column', () => {
    expect(batchModeProblem([{ row: 1, values: [sealed, 'Paris'] }], plan(true), undefined)?.message).toMatch(/claims privacy mode with plain values/);
    const problem = batchModeProblem([{ row: 1, values: [sealed, 'x'] }, { row: 9, values: ['ada@example.com', 'Paris'] }], plan(true), sealing);
    expect(problem).toMatchObject({ row: 9, column: 'Email' });
    expect(problem?.message).toMatch(/plain values: row 9, column "Email"/);
    expect(problem?.message).not.toContain('ada@example.com');
  });

  it('refuses a refused cell whose hint or message could carry the value', () => {
    const leaky = [
      { ...refused, hint: 'ada.example.com' },
      { ...refused, message: 'Not a valid email address (ada.example.com).', hint: null },
      { ...refused, problem: 'identifier_exists' as const },
    ];
    for (const cell of leaky) {
      const problem = batchModeProblem([{ row: 3, values: [cell, ''] }], plan(true), sealing);
      expect(problem).toMatchObject({ row: 3, column: 'Email' });
      expect(problem?.message).toMatch(/refused cell/);
      expect(problem?.message).not.toContain('ada');
    }
  });

  it('refuses sealed cells in a plain batch, sealing on a plain import, and a sealed value in a plain column', () => {
    expect(batchModeProblem([{ row: 4, values: [sealed, 'Paris'] }], plan(false), undefined)).toMatchObject({ row: 4, column: 'Email' });
    expect(batchModeProblem([{ row: 4, values: [sealed, 'Paris'] }], plan(false), undefined)?.message).toMatch(/plain batch with sealed cells/);
    expect(batchModeProblem([{ row: 1, values: ['a@b.co', 'Paris'] }], plan(false), sealing)?.message).toMatch(/not in privacy mode/);
    expect(batchModeProblem([{ row: 2, values: [sealed, sealed] }], plan(true), sealing)).toMatchObject({ row: 2, column: 'City' });
  });

  it('accepts a row sealed in one envelope, its other sealed cells after the envelope, blanks and refused cells between; refuses one with none before it', () => {
    const wide = plan(true, [
      { column: 'Email', target: 'email', type: 'email', sensitive: true },
      { column: 'City', target: 'city', type: 'text', sensitive: false },
      { column: 'Phone', target: 'mobile', type: 'phone', sensitive: true },
      { column: 'Work phone', target: 'work_phone', type: 'phone', sensitive: true },
    ]);
    const rows: PrivateBatchRow[] = [
      { row: 1, values: [sealed, 'Paris', along, along] },
      { row: 2, values: [sealed, 'Paris', '', along] },
      { row: 3, values: ['', 'Paris', sealed, along] },
      // Old batches: every sensitive cell its own envelope.
      { row: 4, values: [sealed, 'Paris', sealed, sealed] },
      { row: 5, values: [sealed, 'Paris', { problem: 'invalid_phone', message: 'Not a valid phone number (3 digits).', hint: '3 digits' }, along] },
    ];
    expect(batchModeProblem(rows, wide, sealing)).toBeNull();
    for (const values of [
      ['', 'Paris', along, ''],
      [refused, 'Paris', along, ''],
      ['', 'Paris', '', along],
    ]) {
      const problem = batchModeProblem([{ row: 1, values: [sealed, 'Paris', '', ''] }, { row: 7, values }], wide, sealing);
      expect(problem).toMatchObject({ row: 7, column: values[2] === along ? 'Phone' : 'Work phone' });
      expect(problem?.message).toMatch(/no cell before it in the row carries an envelope/);
    }
    // An envelope of an earlier row does not count.
    expect(batchModeProblem([{ row: 1, values: [sealed, 'Paris', along, along] }, { row: 2, values: [along, 'Paris', '', ''] }], wide, sealing)).toMatchObject({ row: 2, column: 'Email' });
    // And a hash-only cell is a sealed cell like any other outside privacy mode or in a plain column.
    expect(batchModeProblem([{ row: 3, values: [along, 'Paris'] }], plan(false), undefined)?.message).toMatch(/plain batch with sealed cells/);
    expect(batchModeProblem([{ row: 3, values: [sealed, along] }], plan(true), sealing)).toMatchObject({ row: 3, column: 'City' });
  });
});
