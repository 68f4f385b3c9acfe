/**
 * Where each data row starts in the file, as the 1-based line number a text editor shows. Kept as steps — a
 * (row, line) pair only where a row does not start on the line after the previous one (after a multi-line value
 * or a blank line) — so a million one-line rows cost one pair, not a million numbers. Plain data: it survives
 * postMessage.
 */
export type RowLines = {
  /** Data row numbers (1-based, ascending) where a step starts… */
  rows: number[];
  /** …and the line each of them starts on; the rows after it follow one line each. */
  lines: number[];
};

export const emptyRowLines = (): RowLines => ({ rows: [], lines: [] });

/** Records that `row` starts on `line`; rows must come in order. */
export function addRowLine(steps: RowLines, row: number, line: number): void {
  const n = steps.rows.length;
  if (n > 0 && line - row === (steps.lines[n - 1] as number) - (steps.rows[n - 1] as number)) return;
  steps.rows.push(row);
  steps.lines.push(line);
}

/** The line a data row starts on, or null for a row before the first recorded one. */
export function lineOfRow(steps: RowLines, row: number): number | null {
  let lo = 0;
  let hi = steps.rows.length - 1;
  if (hi < 0 || row < (steps.rows[0] as number)) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((steps.rows[mid] as number) <= row) lo = mid;
    else hi = mid - 1;
  }
  return (steps.lines[lo] as number) + (row - (steps.rows[lo] as number));
}
