// The grid (shared/validation's column checks) and the Worker (classifyRows) judge rows by one set of rules: the
// grid's prediction must be the Worker's verdict, code and message, for the same rows.
import { describe, expect, it } from 'vitest';
import { columnProblems, predictedRejection, raggedRows } from '../../shared/validation/index.ts';
import { classifyRows } from './classifyRows.ts';
import type { ImportPlan } from './importPlan.ts';

describe('the grid predicts what the Worker enforces', () => {
  const plan: ImportPlan = {
    headerCount: 2,
    columns: [
      { column: 'Email', target: 'email', type: 'email', sensitive: false },
      { column: 'Phone', target: 'mobile', type: 'phone', sensitive: true },
    ],
    identifierIndex: 0,
    onMatch: 'update',
    defaultCountry: 'US',
  };
  // The identifier is not sensitive here: no row needs a keyed hash.
  const noSensitiveKey = (): string => {
    throw new Error('no sensitive identifier in this plan');
  };
  const rows = [
    ['ada@example.com', '(415) 555-2671'],
    ['bob@', ''],
    ['', '(415) 555-2672'],
    ['cy@example.com', 'not a phone'],
    ['', ''],
  ];

  it('with the same codes and messages, cell by cell', () => {
    const enforced = classifyRows(rows.map((values, i) => ({ row: i + 1, values })), plan, noSensitiveKey).errors.map((e) => e.error);
    const isBlankRow = (row: number) => (rows[row] ?? []).every((v) => v.trim() === '');
    const predicted = plan.columns.flatMap((column, col) => {
      const problems = columnProblems({
        header: column.column,
        rowCount: rows.length,
        value: (row) => rows[row]?.[col] ?? '',
        type: column.type,
        isIdentifier: col === plan.identifierIndex,
        sensitive: column.sensitive,
        defaultCountry: plan.defaultCountry,
        isBlankRow,
      });
      return [...problems.rows].map((row) => ({ row: row + 1, column: column.column, problem: problems.problemAt(row) }));
    });
    predicted.sort((a, b) => a.row - b.row);
    expect(predicted.map((p) => [p.row, p.column, p.problem?.code, p.problem?.message])).toEqual(
      enforced.map((e) => [e.row, e.column, e.code, predictedRejection(e.message)]),
    );
    expect(enforced.map((e) => e.code)).toEqual(['invalid_email', 'empty_identifier', 'invalid_phone']);
  });

  it('for ragged rows too', () => {
    const enforced = classifyRows([{ row: 1, values: ['a@example.com', ''], fieldCount: 3 }], plan, noSensitiveKey).errors[0]?.error;
    const predicted = raggedRows({ rowCount: 1, fieldCount: () => 3, headerCount: 2 }).problemAt(0);
    expect(predicted?.message).toBe(predictedRejection(enforced?.message ?? ''));
  });
});
