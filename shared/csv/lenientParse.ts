/**
 * The reader's second opinion, for text where papaparse met a quote it had to guess about. It reads the way
 * spreadsheet programs and Python's csv module (non-strict) do, so one malformed row cannot swallow the rest:
 * - a quote inside an unquoted value is a plain character (`=HYPERLINK("http://x","y")` typed without quoting);
 * - a closing quote followed by more text ends the quoting and the text is kept (`"Smith" Jr` → `Smith Jr`);
 * - a quote that is never closed is read as a plain character too (from the end of the file, or once the value
 *   would exceed `maxQuotedChars`), instead of running to the end of the file.
 * Rows read under the second and third rule are reported in `malformed` so the import can flag them.
 */
export type LenientOutput = {
  data: string[][];
  /** Where the unfinished last row starts when `final` is false (everything before was read). */
  cursor: number;
  /** Indexes into `data` of rows with a quote that did not close where a quote should. */
  malformed: number[];
};

export function lenientParse(input: string, delimiter: string, newline: '\n' | '\r', final: boolean, maxQuotedChars: number): LenientOutput {
  const data: string[][] = [];
  const malformed: number[] = [];
  const length = input.length;
  const delimiterLength = delimiter.length;
  let rowStart = 0;
  let at = 0;
  let row: string[] = [];
  let rowMalformed = false;
  // Next delimiter / line break / quote at or after the cursor, looked up again only once passed: a search to the
  // end of the text per row would make a file without delimiters (or quotes) quadratic.
  let nextDelimiter = -2;
  let nextNewline = -2;
  let nextQuote = -2;
  const find = (what: string, cached: number, from: number) => (cached === -1 || cached >= from ? cached : input.indexOf(what, from));

  const endRow = (next: number) => {
    if (rowMalformed) malformed.push(data.length);
    data.push(row);
    row = [];
    rowMalformed = false;
    at = next;
    rowStart = next;
  };
  /** Unquoted text from `from` to the next delimiter or line break, appended to `prefix`; ends the field or row. */
  const plainUntilBreak = (from: number, prefix: string): 'more' | 'eof' => {
    nextDelimiter = find(delimiter, nextDelimiter, from);
    nextNewline = find(newline, nextNewline, from);
    if (nextDelimiter !== -1 && (nextNewline === -1 || nextDelimiter < nextNewline)) {
      row.push(prefix + input.slice(from, nextDelimiter));
      at = nextDelimiter + delimiterLength;
      return 'more';
    }
    if (nextNewline !== -1) {
      row.push(prefix + input.slice(from, nextNewline));
      endRow(nextNewline + 1);
      return 'more';
    }
    return 'eof';
  };

  for (;;) {
    if (at >= length) {
      // A delimiter just before the end leaves one empty field to go; a row ended by a line break leaves nothing.
      if (final && (row.length > 0 || at > rowStart)) {
        row.push('');
        endRow(length);
      }
      break;
    }
    if (input.charCodeAt(at) !== 34 /* " */) {
      if (plainUntilBreak(at, '') === 'eof') {
        if (!final) break;
        row.push(input.slice(at));
        endRow(length);
        break;
      }
      continue;
    }
    // A quoted value: find its closing quote ("" inside is one quote).
    let value = '';
    let from = at + 1;
    let close = -1;
    for (;;) {
      nextQuote = find('"', nextQuote, from);
      const quote = nextQuote;
      if (quote === -1) break;
      if (input.charCodeAt(quote + 1) === 34) {
        value += input.slice(from, quote + 1);
        from = quote + 2;
        continue;
      }
      value += input.slice(from, quote);
      close = quote;
      break;
    }
    if (close === -1) {
      const unfinished = length - at;
      if (!final && unfinished <= maxQuotedChars) break;
      // Never closed: the opening quote was a plain character.
      rowMalformed = true;
      if (plainUntilBreak(at + 1, '"') === 'eof') {
        if (!final) break;
        row.push(input.slice(at));
        endRow(length);
        break;
      }
      continue;
    }
    // Blanks between a closing quote and the delimiter or line end are dropped, as papaparse does (a CRLF file is
    // split on '\n', so its '\r' is one of them).
    let after = close + 1;
    for (let c = input.charCodeAt(after); c === 32 || c === 9 || c === 13; c = input.charCodeAt(after)) after++;
    if (after >= length) {
      if (!final) break;
      row.push(value);
      endRow(length);
      break;
    }
    if (input.startsWith(delimiter, after)) {
      row.push(value);
      at = after + delimiterLength;
      continue;
    }
    if (input.startsWith(newline, after)) {
      row.push(value);
      endRow(after + 1);
      continue;
    }
    // Text after the closing quote: kept, as the rest of an unquoted value.
    rowMalformed = true;
    if (plainUntilBreak(close + 1, value) === 'eof') {
      if (!final) break;
      row.push(value + input.slice(close + 1));
      endRow(length);
      break;
    }
  }
  return { data, cursor: final ? length : rowStart, malformed };
}
