import { CELL_PROBLEM_CODES, type ColumnProblems } from '../../shared/validation/index.ts';

export interface CombinedProblems {
  /** Every row with a problem of any kind, ascending: what "Only rows with problems" shows. */
  rows: Uint32Array;
  /** Rows the Worker will reject: an error in an imported column, or ragged. */
  rejected: number;
}

const WARNING = 1;
const ERROR = 2;
// The one warning: duplicate identifiers merge into one member, nothing is rejected.
const DUPLICATE = CELL_PROBLEM_CODES.indexOf('duplicate_identifier') + 1;

/**
 * Unites the problem rows of every checked column with the ragged rows, and counts the rows that will be rejected
 * (validation's problemRows() gives the union only). One byte a row: linear, 1 MB for a million rows.
 */
export function combineProblems(rowCount: number, columns: readonly (ColumnProblems | null)[], ragged: Uint32Array): CombinedProblems {
  const marks = new Uint8Array(rowCount);
  let marked = 0;
  const mark = (row: number, level: number) => {
    const was = marks[row] as number;
    if (was === 0) marked++;
    if (level > was) marks[row] = level;
  };
  for (const problems of columns) {
    if (!problems) continue;
    for (let i = 0; i < problems.rows.length; i++) {
      const row = problems.rows[i] as number;
      if (row < rowCount) mark(row, problems.codes[i] === DUPLICATE ? WARNING : ERROR);
    }
  }
  for (const row of ragged) if (row < rowCount) mark(row, ERROR);
  const rows = new Uint32Array(marked);
  let rejected = 0;
  for (let row = 0, k = 0; row < rowCount; row++) {
    const level = marks[row] as number;
    if (level === 0) continue;
    rows[k++] = row;
    if (level === ERROR) rejected++;
  }
  return { rows, rejected };
}

/** Position of `row` in an ascending list, or where it would go (for "go to row" inside the filtered view). */
export function lowerBound(sorted: Uint32Array, row: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
