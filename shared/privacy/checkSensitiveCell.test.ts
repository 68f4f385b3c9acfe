import { describe, expect, it } from 'vitest';
import { MAX_CELL_LENGTH } from '../schema/imports.ts';
import type { FieldType } from '../schema/fields.ts';
import { checkSensitiveCell, refusedCellProblem } from './checkSensitiveCell.ts';

const allowed = { fieldLabel: 'Tier', values: [{ label: 'Gold', code: '1' }] };

describe('refusedCellProblem', () => {
  it('accepts every refusal checkSensitiveCell makes', () => {
    const invalid: [FieldType, string][] = [
      ['email', 'ada.example.com'],
      ['email', 'a@b@c.com'],
      ['email', 'ada lovelace@example.com'],
      ['email', '@example.com'],
      ['email', 'ada@'],
      ['email', 'ada@example'],
      ['email', 'ada@.example.com'],
      ['email', 'ada@exa mple'],
      ['phone', '12'],
      ['phone', 'call me'],
      ['url', 'not a url'],
      ['number', 'twelve'],
      ['date', '32/13/2024'],
      ['text', 'x'.repeat(MAX_CELL_LENGTH + 1)],
    ];
    for (const [type, raw] of invalid) {
      const verdict = checkSensitiveCell(raw, { type, defaultCountry: 'US' });
      if (verdict.ok) throw new Error(`${type} "${raw}" should be refused`);
      expect(refusedCellProblem(verdict.refused, { type })).toBeNull();
    }
    const notAllowed = checkSensitiveCell('Silver', { type: 'text', defaultCountry: 'US', allowed });
    if (notAllowed.ok) throw new Error('Silver is not allowed');
    expect(refusedCellProblem(notAllowed.refused, { type: 'text', allowed })).toBeNull();
    // A multi-select cell with two values that cannot be stored, one of them retired: one sentence each.
    const multi = { ...allowed, multiple: true as const, values: [...allowed.values, { label: 'Bronze', code: '3', retired: true as const }] };
    const twoBad = checkSensitiveCell('Silver; Bronze', { type: 'text', defaultCountry: 'US', allowed: multi });
    if (twoBad.ok) throw new Error('Silver and Bronze cannot be stored');
    expect(twoBad.refused.message).toMatch(/allowed values.*retired/);
    expect(refusedCellProblem(twoBad.refused, { type: 'text', allowed: multi })).toBeNull();
    expect(refusedCellProblem({ ...twoBad.refused, message: `${twoBad.refused.message} Silver` }, { type: 'text', allowed: multi })).toMatch(/message/);
  });

  it('refuses a hint or message the rules would not give, and codes a cell cannot have', () => {
    const base = { problem: 'invalid_email' as const, message: 'Not a valid email address (missing @).', hint: 'missing @' };
    expect(refusedCellProblem(base, { type: 'email' })).toBeNull();
    expect(refusedCellProblem({ ...base, hint: 'ada@example.com' }, { type: 'email' })).toMatch(/hint/);
    expect(refusedCellProblem({ ...base, message: 'Not a valid email address (ada).' }, { type: 'email' })).toMatch(/message/);
    expect(refusedCellProblem({ ...base, message: 'Not a valid phone number (missing @).' }, { type: 'email' })).toMatch(/message/);
    expect(refusedCellProblem({ ...base, problem: 'value_not_allowed', message: '"Ada" is not one of the allowed values of Tier: Gold.' }, { type: 'text', allowed })).toMatch(/message/);
    expect(refusedCellProblem({ ...base, problem: 'ragged_row' }, { type: 'email' })).toMatch(/ragged_row/);
  });
});
