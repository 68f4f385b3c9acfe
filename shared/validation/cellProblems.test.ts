import { describe, expect, it } from 'vitest';
import { columnProblems, columnProblemSteps, type ColumnInput } from './cellProblems.ts';
import { problemRows, raggedRows } from './rowProblems.ts';

function column(values: string[], rest: Partial<ColumnInput> & Pick<ColumnInput, 'type'>): ColumnInput {
  return { header: 'Email', rowCount: values.length, value: (row) => values[row] ?? '', isIdentifier: false, defaultCountry: 'US', ...rest };
}

describe('columnProblems', () => {
  it('finds invalid emails and says why, leaving empty cells of a non-identifier alone', () => {
    const p = columnProblems(column(['a@example.com', 'bob@', '', 'not an email', 'C@Example.com'], { type: 'email' }));
    expect([...p.rows]).toEqual([1, 3]);
    expect(p.counts.invalid_email).toBe(2);
    expect(p.errorCount).toBe(2);
    expect(p.problemAt(1)).toEqual({ row: 1, code: 'invalid_email', severity: 'error', message: '"bob@" is not a valid email address. The row will be rejected.' });
    expect(p.problemAt(0)).toBeNull();
    expect(p.problemAt(2)).toBeNull();
  });

  it('checks phones against the default country', () => {
    const values = ['(415) 555-2671', '06 12 34 56 78', '+33 6 12 34 56 78', 'call me'];
    expect([...columnProblems(column(values, { type: 'phone', defaultCountry: 'US' })).rows]).toEqual([1, 3]);
    expect([...columnProblems(column(values, { type: 'phone', defaultCountry: 'FR' })).rows]).toEqual([0, 3]);
    const p = columnProblems(column(values, { type: 'phone', defaultCountry: 'FR' }));
    expect(p.problemAt(3)?.code).toBe('invalid_phone');
  });

  it('flags other types with invalid_value and accepts any free text', () => {
    expect([...columnProblems(column(['12', '1 234,5', 'twelve'], { type: 'number' })).rows]).toEqual([2]);
    expect(columnProblems(column(['2024-02-30', '2024-02-29'], { type: 'date' })).problemAt(0)?.code).toBe('invalid_value');
    expect(columnProblems(column(['anything at all', '', '!!'], { type: 'text' })).rows.length).toBe(0);
  });

  it('rejects values longer than a cell may hold, whatever the type', () => {
    const long = 'x'.repeat(10_001);
    const p = columnProblems(column(['ok', long], { type: 'text' }));
    expect([...p.rows]).toEqual([1]);
    expect(p.problemAt(1)?.message).toBe('The value is 10001 characters long; a cell may hold at most 10000. The row will be rejected.');
  });

  it('flags an empty identifier, but not on rows the Worker skips as blank', () => {
    const values = ['a@example.com', '', '   ', 'b@example.com'];
    const p = columnProblems(column(values, { type: 'email', isIdentifier: true, isBlankRow: (row) => row === 2 }));
    expect([...p.rows]).toEqual([1]);
    expect(p.problemAt(1)).toEqual({ row: 1, code: 'empty_identifier', severity: 'error', message: 'The identifier column "Email" is empty. The row will be rejected.' });
  });

  it('flags repeated identifiers after normalization, pointing at the first occurrence', () => {
    const values = ['Ann@Example.com', 'bob@example.com', ' ann@example.com ', 'ANN@EXAMPLE.COM', 'bob@example.com', 'carl@example.com'];
    const p = columnProblems(column(values, { type: 'email', isIdentifier: true }));
    expect([...p.rows]).toEqual([2, 3, 4]);
    expect([...p.firstRows]).toEqual([0, 0, 1]);
    expect(p.counts.duplicate_identifier).toBe(3);
    expect(p.errorCount).toBe(0);
    expect(p.problemAt(3)).toEqual({
      row: 3,
      code: 'duplicate_identifier',
      severity: 'warning',
      message: 'Same identifier as row 1: the rows will be merged into one member.',
    });
  });

  it('compares phone identifiers in E.164, whatever their formatting', () => {
    const p = columnProblems(column(['(415) 555-2671', '+1 415 555 2671', '0014155552671'], { type: 'phone', isIdentifier: true }));
    expect([...p.rows]).toEqual([1, 2]);
    expect([...p.firstRows]).toEqual([0, 0]);
  });

  it('compares a sensitive text identifier the way the Worker hashes it: case-insensitively', () => {
    const values = ['AB-1', 'ab-1'];
    expect(columnProblems(column(values, { type: 'text', isIdentifier: true })).rows.length).toBe(0);
    expect([...columnProblems(column(values, { type: 'text', isIdentifier: true, sensitive: true })).rows]).toEqual([1]);
  });

  it('never quotes a sensitive value in a message', () => {
    const p = columnProblems(column(['secret@@example'], { type: 'email', sensitive: true }));
    expect(p.problemAt(0)?.message).toBe('Not a valid email address (2 @ signs). The row will be rejected.');
  });

  it('invalid identifiers are errors, not duplicates', () => {
    const p = columnProblems(column(['x@', 'x@', 'ok@example.com'], { type: 'email', isIdentifier: true }));
    expect([...p.rows]).toEqual([0, 1]);
    expect(p.counts.invalid_email).toBe(2);
    expect(p.counts.duplicate_identifier).toBe(0);
  });

  it('finds every duplicate in a large column, many of them sharing one value', () => {
    const rowCount = 200_000;
    const value = (row: number) => (row % 10 === 0 ? 'same@example.com' : `user${row % 150_000}@example.com`);
    const p = columnProblems({ header: 'Email', rowCount, value, type: 'email', isIdentifier: true, defaultCountry: 'US' });
    // Reference: a plain Map over the same values.
    const first = new Map<string, number>();
    const expected: number[] = [];
    for (let row = 0; row < rowCount; row++) {
      const key = value(row);
      if (first.has(key)) expected.push(row);
      else first.set(key, row);
    }
    expect(p.rows.length).toBe(expected.length);
    expect([...p.rows]).toEqual(expected);
    const at = expected.indexOf(150_001);
    expect(p.firstRows[at]).toBe(1);
    expect(p.firstRows[expected.indexOf(20)]).toBe(0);
  });
});

describe('columnProblems with allowed values', () => {
  it('predicts the Worker: values outside the pick list are rejected, labels match with case aside', () => {
    const allowed = { fieldLabel: 'Rating', values: [{ label: 'Hot', code: '1' }, { label: 'Cold', code: '2' }] };
    const p = columnProblems(column(['Hot', 'cold', '2', 'Tepid', ''], { header: 'Rating', type: 'text', allowed }));
    expect([...p.rows]).toEqual([3]);
    expect(p.counts.value_not_allowed).toBe(1);
    expect(p.errorCount).toBe(1);
    expect(p.problemAt(3)).toEqual({
      row: 3,
      code: 'value_not_allowed',
      severity: 'error',
      message: '"Tepid" is not one of the allowed values of Rating: Hot, Cold. The row will be rejected.',
    });
  });
});

describe('columnProblemSteps', () => {
  it('yields progress every slice and ends with the same result as columnProblems', () => {
    const values = Array.from({ length: 2500 }, (_, i) => (i % 7 === 0 ? 'nope' : `u${i % 2000}@example.com`));
    const input = column(values, { type: 'email', isIdentifier: true });
    const steps = columnProblemSteps(input, 1000);
    const progress: number[] = [];
    let step = steps.next();
    while (!step.done) {
      progress.push(step.value);
      step = steps.next();
    }
    expect(progress).toEqual([1000, 2000]);
    const whole = columnProblems(input);
    expect([...step.value.rows]).toEqual([...whole.rows]);
    expect([...step.value.codes]).toEqual([...whole.codes]);
    expect(step.value.counts).toEqual(whole.counts);
  });
});

describe('raggedRows', () => {
  const counts = [3, 3, 2, 3, 4];
  const ragged = raggedRows({ rowCount: counts.length, fieldCount: (row) => counts[row] ?? 0, headerCount: 3 });

  it('lists rows whose field count differs from the header', () => {
    expect([...ragged.rows]).toEqual([2, 4]);
  });

  it('explains the problem', () => {
    expect(ragged.problemAt(2)).toEqual({
      row: 2,
      code: 'ragged_row',
      severity: 'error',
      message: 'This row has 2 fields but the header has 3. The row will be rejected.',
    });
    expect(ragged.problemAt(1)).toBeNull();
  });

  it('grows past its initial capacity', () => {
    const many = raggedRows({ rowCount: 1000, fieldCount: (row) => (row % 3 === 0 ? 1 : 2), headerCount: 2 });
    expect(many.rows.length).toBe(334);
    expect(many.rows[333]).toBe(999);
  });
});

describe('problemRows', () => {
  it('merges lists into one ascending list without repeats', () => {
    expect([...problemRows([Uint32Array.of(1, 5, 9), Uint32Array.of(0, 5, 10), Uint32Array.of()])]).toEqual([0, 1, 5, 9, 10]);
    expect(problemRows([]).length).toBe(0);
  });
});
