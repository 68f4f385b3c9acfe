import type { RowError } from '../schema/imports.ts';

/** `Line` is the line of the file the row starts on (empty for CRM rows): multi-line values make it differ from Row. */
export const REPORT_CSV_HEADER = ['Row', 'Line', 'Column', 'Problem', 'Reason', 'Value'] as const;
/** Excel reads a CSV as UTF-8 only when it starts with a byte-order mark; without it accents turn to mojibake. */
export const CSV_BOM = '\ufeff';
const LINE_END = '\r\n';

/**
 * One CSV cell, RFC 4180-quoted. Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first: the OWASP
 * list) gets a leading apostrophe, so a hostile value from an uploaded file cannot run in the user's Excel.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  // Quoted whenever it holds a separator of any locale (comma, semicolon, tab): a semicolon-separated Excel would
  // otherwise split `x;=cmd|…` and run its second half as a formula.
  return /[",;\t\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function line(cells: readonly (string | number | null)[]): string {
  return cells.map(csvCell).join(',') + LINE_END;
}

/**
 * The report as CSV lines (header first), each ending in CRLF, for streaming a large report without building
 * one string. Add CSV_BOM in front when the bytes go to a download.
 */
export function* reportCsvLines(errors: Iterable<RowError>): Generator<string, void, undefined> {
  yield line(REPORT_CSV_HEADER);
  for (const e of errors) yield line([e.row, e.line ?? null, e.column, e.code, e.message, e.value]);
}

/** The whole report as one CSV document, starting with a BOM unless `bom: false`. */
export function rowErrorsToCsv(errors: readonly RowError[], options: { bom?: boolean } = {}): string {
  let csv = options.bom === false ? '' : CSV_BOM;
  for (const l of reportCsvLines(errors)) csv += l;
  return csv;
}
