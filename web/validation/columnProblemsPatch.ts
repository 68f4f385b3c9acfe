import { CELL_PROBLEM_CODES, type CellProblemCode, type ColumnProblems, sortedIndexOf } from '../../shared/validation/index.ts';

const DUPLICATE = CELL_PROBLEM_CODES.indexOf('duplicate_identifier') + 1;

/**
 * A column's problems with one row checked again, without checking the whole column: after an inline edit of a
 * column that is not the identifier, no other row's verdict can change. `single` is the check of that one cell
 * alone (rowCount 1, row 0); everything else is answered by `previous`.
 */
export function withRowRechecked(previous: ColumnProblems, row: number, single: ColumnProblems): ColumnProblems {
  const at = sortedIndexOf(previous.rows, row);
  const oldCode = at >= 0 ? (previous.codes[at] as number) : 0;
  const newCode = single.rows.length > 0 ? (single.codes[0] as number) : 0;
  if (oldCode === 0 && newCode === 0) return previous;

  let rows = previous.rows;
  let codes = previous.codes;
  let firstRows = previous.firstRows;
  if (at >= 0 && newCode !== 0) {
    codes = codes.slice();
    codes[at] = newCode;
    firstRows = firstRows.slice();
    firstRows[at] = -1;
  } else if (at >= 0) {
    rows = removeAt(rows, at);
    codes = removeAt(codes, at);
    firstRows = removeAt(firstRows, at);
  } else {
    let insert = 0;
    while (insert < rows.length && (rows[insert] as number) < row) insert++;
    rows = insertAt(rows, insert, row);
    codes = insertAt(codes, insert, newCode);
    firstRows = insertAt(firstRows, insert, -1);
  }

  const counts: Record<CellProblemCode, number> = { ...previous.counts };
  if (oldCode) counts[CELL_PROBLEM_CODES[oldCode - 1] as CellProblemCode]--;
  if (newCode) counts[CELL_PROBLEM_CODES[newCode - 1] as CellProblemCode]++;
  const errorCount = previous.errorCount - (oldCode && oldCode !== DUPLICATE ? 1 : 0) + (newCode && newCode !== DUPLICATE ? 1 : 0);

  return {
    rows,
    codes,
    firstRows,
    counts,
    errorCount,
    problemAt: (r) => {
      if (r !== row) return previous.problemAt(r);
      const problem = single.problemAt(0);
      return problem ? { ...problem, row } : null;
    },
  };
}

function removeAt<T extends Uint32Array | Uint8Array | Int32Array>(array: T, at: number): T {
  const out = new (array.constructor as new (n: number) => T)(array.length - 1);
  out.set(array.subarray(0, at));
  out.set(array.subarray(at + 1), at);
  return out;
}

function insertAt<T extends Uint32Array | Uint8Array | Int32Array>(array: T, at: number, value: number): T {
  const out = new (array.constructor as new (n: number) => T)(array.length + 1);
  out.set(array.subarray(0, at));
  out[at] = value;
  out.set(array.subarray(at), at + 1);
  return out;
}
