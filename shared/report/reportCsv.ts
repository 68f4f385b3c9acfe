import type { RowError } from '../schema/imports.ts';

/** `Line` is the line of the file the row starts on (empty for CRM rows): multi-line values make it differ from Row. */
export const REPORT_CSV_HEADER = ['Row', 'Line', 'Column', 'Problem', 'Reason', 'Value'] as const;
/** Excel reads a CSV as UTF-8 only when it starts with a byte-order mark; without it accents turn to mojibake. */
export const CSV_BOM = '\ufeff';
const LINE_END = '\r\n';

/**
 * One CSV cell, formula-safe in every locale. Text a spreadsheet would run as a formula (=, +, -, @, tab or CR
 * first, also after leading spaces: the OWASP list) gets a leading apostrophe. A spreadsheet whose list separator
 * is another one (`;` in much of Europe, tab, `|`) splits the line there, quotes or not, so the same holds after
 * every such separator inside the cell: `x;=cmd|' /C calc'!A0` is written `"x;'=cmd|' /C calc'!A0"`. Cells with a
 * separator of any locale, a quote or a line break are quoted.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = value.replace(/(^|[,;\t|])(\s*)(?=[=+\-@\t\r])/g, "$1$2'");
  return /[",;\t|\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV record of formula-safe cells, CRLF-terminated. */
export function csvLine(cells: readonly (string | number | null)[]): string {
  return cells.map(csvCell).join(',') + LINE_END;
}

/**
 * The report as CSV lines (header first), each ending in CRLF, for streaming a large report without building
 * one string. Add CSV_BOM in front when the bytes go to a download.
 */
export function* reportCsvLines(errors: Iterable<RowError>): Generator<string, void, undefined> {
  yield csvLine(REPORT_CSV_HEADER);
  for (const e of errors) yield csvLine([e.row, e.line ?? null, e.column, e.code, e.message, e.value]);
}

/** The whole report as one CSV document, starting with a BOM unless `bom: false`. */
export function rowErrorsToCsv(errors: readonly RowError[], options: { bom?: boolean } = {}): string {
  let csv = options.bom === false ? '' : CSV_BOM;
  for (const l of reportCsvLines(errors)) csv += l;
  return csv;
}
