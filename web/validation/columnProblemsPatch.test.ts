import { describe, expect, it } from 'vitest';
import { type ColumnInput, columnProblems } from '../../shared/validation/index.ts';
import { withRowRechecked } from './columnProblemsPatch.ts';

const input = (values: string[], rest: Partial<ColumnInput> = {}): ColumnInput => ({
  header: 'Email',
  rowCount: values.length,
  value: (r) => values[r] ?? '',
  type: 'email',
  isIdentifier: false,
  defaultCountry: 'US',
  ...rest,
});

/** Edits row `row` of `values`, patches, and compares with checking the whole edited column from scratch. */
function editAndCompare(values: string[], row: number, value: string, rest: Partial<ColumnInput> = {}) {
  const before = columnProblems(input(values, rest));
  const edited = values.slice();
  edited[row] = value;
  const single = columnProblems({ ...input([value], rest), rowCount: 1, value: () => edited[row] ?? '' });
  const patched = withRowRechecked(before, row, single);
  const full = columnProblems(input(edited, rest));
  expect([...patched.rows]).toEqual([...full.rows]);
  expect([...patched.codes]).toEqual([...full.codes]);
  expect([...patched.firstRows]).toEqual([...full.firstRows]);
  expect(patched.counts).toEqual(full.counts);
  expect(patched.errorCount).toBe(full.errorCount);
  for (let r = 0; r < edited.length; r++) expect(patched.problemAt(r)).toEqual(full.problemAt(r));
  return patched;
}

describe('withRowRechecked', () => {
  const values = ['a@x.com', 'bad', 'b@y.org', 'worse', 'c@z.net'];

  it('clears a fixed cell', () => {
    editAndCompare(values, 1, 'fixed@x.com');
  });

  it('adds a broken cell in the middle, at the start and at the end', () => {
    editAndCompare(values, 2, 'nope');
    editAndCompare(values, 0, 'nope');
    editAndCompare(values, 4, 'nope');
  });

  it('keeps a cell that is still wrong, with its new message', () => {
    const patched = editAndCompare(values, 3, 'still@wrong');
    expect(patched.problemAt(3)?.message).toContain('still@wrong');
  });

  it('returns the same result when nothing changes', () => {
    const before = columnProblems(input(values));
    expect(withRowRechecked(before, 0, columnProblems(input(['ok@x.com'])))).toBe(before);
  });

  it('works for other types and for cells that were never wrong', () => {
    editAndCompare(['+14155552671', '12', ''], 2, 'call me', { type: 'phone' });
    editAndCompare(['1', '2', 'x'], 2, '3', { type: 'number' });
  });

  it('stacks edits', () => {
    const before = columnProblems(input(values));
    const one = withRowRechecked(before, 1, columnProblems(input(['ok@x.com'])));
    const two = withRowRechecked(one, 4, columnProblems(input(['broken'])));
    expect([...two.rows]).toEqual([3, 4]);
    expect(two.counts.invalid_email).toBe(2);
    expect(two.problemAt(1)).toBeNull();
    expect(two.problemAt(4)?.row).toBe(4);
  });
});
