import { describe, expect, it } from 'vitest';
import type { PrivateBatchRow } from '../../shared/schema/imports.ts';
import type { ImportPlan } from '../imports/importPlan.ts';
import { batchModeProblem } from './batchMode.ts';

const plan = (privacy: boolean): ImportPlan => ({
  headerCount: 2,
  columns: [
    { column: 'Email', target: 'email', type: 'email', sensitive: true },
    { column: 'City', target: 'city', type: 'text', sensitive: false },
  ],
  identifierIndex: 0,
  onMatch: 'update',
  defaultCountry: 'US',
  ...(privacy ? { privacy: true } : {}),
});
const sealing = { keyId: 'wk', ephemeralKey: 'A'.repeat(87) };
const sealed = { h: 'a'.repeat(64), c: 'b'.repeat(40) };
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
});
