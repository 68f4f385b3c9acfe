import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_CELL_LENGTH } from '../../shared/schema/imports.ts';
import { classifyRows } from './classifyRows.ts';
import type { ImportPlan } from './importPlan.ts';

const plan = (overrides: Partial<ImportPlan> = {}): ImportPlan => ({
  headerCount: 4,
  columns: [
    { column: 'Email', target: 'email', type: 'email', sensitive: false },
    { column: 'Phone', target: 'mobile', type: 'phone', sensitive: true },
    { column: 'Name', target: 'first_name', type: 'first_name', sensitive: false },
  ],
  identifierIndex: 0,
  onMatch: 'update',
  defaultCountry: 'US',
  ...overrides,
});

// A stand-in for sensitiveKey (worker/crypto/sensitiveKey.ts), computed independently: HMAC over the SHA-256 hex.
const TEST_KEY = Buffer.alloc(32, 7);
const keyOf = (_type: string, normalized: string) =>
  createHmac('sha256', TEST_KEY).update(createHash('sha256').update(normalized).digest('hex')).digest('hex');

describe('classifyRows', () => {
  it('normalizes valid rows and keeps sensitive values apart', () => {
    const out = classifyRows([{ row: 7, values: [' Ada@Example.com', '(415) 555-2671', ' Ada   L '] }], plan(), keyOf);
    expect(out).toEqual({
      accepted: [
        {
          index: 0,
          row: 7,
          key: 'ada@example.com',
          identifierShown: 'ada@example.com',
          attributes: { email: 'ada@example.com', first_name: 'Ada   L' },
          sensitive: { mobile: '+14155552671' },
        },
      ],
      errors: [],
      rejected: 0,
      skipped: 0,
    });
  });

  it('checks raggedness, then value count, then blankness, then the identifier, then each value', () => {
    const out = classifyRows(
      [
        { row: 1, values: ['a@example.com', '', ''], fieldCount: 5 },
        { row: 2, values: ['a@example.com', ''] },
        { row: 3, values: [' ', '', '\t'], fieldCount: 4 },
        { row: 4, values: ['', '', 'Nameless'] },
        { row: 5, values: ['not-mail', 'nope', 'X'] },
        { row: 6, values: ['ok@example.com', '', ''] },
      ],
      plan(),
      keyOf,
    );
    expect(out.rejected).toBe(4);
    expect(out.skipped).toBe(1);
    expect(out.accepted.map((a) => a.row)).toEqual([6]);
    expect(out.errors.map((e) => [e.index, e.error.row, e.error.column, e.error.code])).toEqual([
      [0, 1, null, 'ragged_row'],
      [1, 2, null, 'wrong_field_count'],
      [3, 4, 'Email', 'empty_identifier'],
      [4, 5, 'Email', 'invalid_email'],
      [4, 5, 'Phone', 'invalid_phone'],
    ]);
    expect(out.errors[0]?.error.message).toBe('This row has 5 fields but the header has 4.');
    expect(out.errors[2]?.error.message).toBe('The identifier column "Email" is empty.');
    expect(out.errors[3]?.error).toMatchObject({ value: 'not-mail', message: 'Email has no @.' });
  });

  it('masks sensitive values in errors and keeps them out of the message', () => {
    const out = classifyRows([{ row: 1, values: ['a@example.com', 'call-me-maybe', ''] }], plan(), keyOf);
    expect(out.errors[0]?.error).toMatchObject({ column: 'Phone', code: 'invalid_phone', value: '••••••' });
    expect(out.errors[0]?.error.message).not.toContain('call-me-maybe');
    expect(out.errors[0]?.error.message).toBe('Not a valid phone number (contains letters).');
  });

  it('keys a sensitive identifier by the keyed hash of its hash input, never its plain SHA-256', () => {
    const sensitiveId = plan({ identifierIndex: 1 });
    const out = classifyRows([{ row: 1, values: ['', '+1 415 555 2671', ''] }], sensitiveId, keyOf);
    expect(out.accepted[0]?.key).toBe(keyOf('phone', '+14155552671'));
    expect(out.accepted[0]?.key).not.toBe(createHash('sha256').update('+14155552671').digest('hex'));
    expect(out.accepted[0]?.identifierShown).toBe('••••••');
  });

  it('rejects an over-long cell as a row error instead of failing the batch', () => {
    const out = classifyRows([{ row: 1, values: ['a@example.com', '', 'x'.repeat(MAX_CELL_LENGTH + 1)] }], plan(), keyOf);
    expect(out.rejected).toBe(1);
    expect(out.errors[0]?.error).toMatchObject({ column: 'Name', code: 'invalid_value' });
    expect(out.errors[0]?.error.value?.length).toBeLessThan(50);
  });

  it('rejects a value outside the field’s allowed values and stores an allowed one as its label', () => {
    const rated = plan({
      headerCount: 2,
      columns: [
        { column: 'Email', target: 'email', type: 'email', sensitive: false },
        { column: 'Rating', target: 'rating', type: 'text', sensitive: false, allowed: { fieldLabel: 'Rating', values: [{ label: 'Hot', code: 'H' }, { label: 'Cold', code: 'C' }] } },
      ],
    });
    const out = classifyRows(
      [
        { row: 1, values: ['a@example.com', 'H'] },
        { row: 2, values: ['b@example.com', 'Lukewarm'] },
        { row: 3, values: ['c@example.com', 'cold'] },
      ],
      rated,
      keyOf,
    );
    expect(out.accepted.map((r) => r.attributes)).toEqual([
      { email: 'a@example.com', rating: 'Hot' },
      { email: 'c@example.com', rating: 'Cold' },
    ]);
    expect(out.rejected).toBe(1);
    expect(out.errors).toEqual([
      {
        index: 1,
        error: { row: 2, column: 'Rating', code: 'value_not_allowed', message: '"Lukewarm" is not one of the allowed values of Rating: Hot, Cold.', value: 'Lukewarm' },
      },
    ]);
  });
});
