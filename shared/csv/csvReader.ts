import Papa, { type Parser } from 'papaparse';
import { binaryFileProblem } from './binaryFile.ts';
import { CsvError } from './csvError.ts';
import { lenientParse } from './lenientParse.ts';
import { addRowLine, emptyRowLines, type RowLines } from './rowLines.ts';
import { byteOrderMark, detectEncoding, ENCODING_LABELS, repairWindows1252, type CsvEncoding } from './encoding.ts';
import { sniffLayout, type Layout, type LineEnding } from './layout.ts';
import { uniqueHeaders } from './uniqueHeaders.ts';

/** Bytes buffered before anything is decided: encoding, delimiter and line ending are read from this prefix only,
 * so the outcome never depends on how the caller sliced the file. */
export const SNIFF_BYTES = 64 * 1024;
/** Same limit as the import contract (CsvSource.headers). */
export const MAX_COLUMNS = 500;
/** An unfinished row longer than this is a stray quote (or not a CSV file): stop rather than buffer the whole file. */
export const MAX_ROW_CHARS = 4 * 1024 * 1024;

export type CsvReaderOptions = {
  /** Wins over detection. */
  delimiter?: string;
  /** Wins over detection and over a byte-order mark. Omitted: BOM, else UTF-8 if the first 64 KiB are valid UTF-8,
   * else Windows-1252. */
  encoding?: CsvEncoding;
  /** Called once, before the first rows, when the header row has been read. */
  onHeader?: (header: CsvHeader) => void;
};

export type CsvHeader = {
  /** Distinct display names (see uniqueHeaders): what mappings and the grid call the columns. */
  headers: string[];
  /** The header row as written in the file. */
  rawHeaders: string[];
  delimiter: string;
  encoding: CsvEncoding;
  /** Human name of the encoding, e.g. "Windows-1252 (Western European)". */
  encodingLabel: string;
  hadBom: boolean;
  lineEnding: LineEnding;
};

export type CsvSummary = CsvHeader & {
  /** Data rows (header and blank lines not counted). */
  rowCount: number;
  /** Data rows whose field count differs from the header's. */
  raggedRowCount: number;
  /** First data row with a quote out of place (`"Smith" Jr`, a quote never closed), read as spreadsheets do. */
  malformedQuoteRow: number | null;
  /** Data rows with a quote out of place. */
  malformedQuoteRowCount: number;
  /** Where each data row starts in the file (1-based line), multi-line values and blank lines counted. */
  rowLines: RowLines;
};

/**
 * Receives data rows as papaparse produced them (ragged rows untouched) and the 1-based data row number of the
 * first one — the number the grid and the import report show. The array is the caller's to keep.
 */
export type CsvRowsCallback = (rows: string[][], firstRowNumber: number) => void;

export type CsvReader = {
  /** Feeds the next bytes of the file; rows completed by them are handed to the callback before push returns. */
  push(bytes: Uint8Array): void;
  /** Flushes the last row and returns the summary; throws CsvError for empty and header-only files. */
  end(): CsvSummary;
};

type ParseOutput = { data: string[][]; errors: { code: string; row?: number }[]; meta: { cursor: number } };

/** A quote papaparse read differently from a spreadsheet: the text goes to lenientParse instead. */
const isQuoteTrouble = (e: { code: string }) => e.code === 'InvalidQuotes' || e.code === 'MissingQuotes';

/**
 * A streaming CSV reader: bytes in, rows out, holding only the current chunk and the unfinished last row.
 *
 * Bytes are decoded here with a streaming TextDecoder (a character split between two chunks stays whole) and the
 * text goes to papaparse's core Parser, the unfinished tail carried over the way papaparse's own ChunkStreamer does
 * it. Papa.parse(file) is not used because it decodes each byte slice separately and corrupts such characters.
 *
 * Throws CsvError (from push or end) for files that cannot be read; after an error the reader is closed. On
 * `invalid_encoding` the caller should start again with `encoding: 'windows-1252'` and tell the user.
 */
export function createCsvReader(options: CsvReaderOptions, onRows: CsvRowsCallback): CsvReader {
  let state: 'sniffing' | 'reading' | 'closed' = 'sniffing';
  const sniff = new Uint8Array(SNIFF_BYTES);
  let sniffed = 0;

  let decoder: TextDecoder | null = null;
  let encoding: CsvEncoding = 'utf-8';
  let repair = false;
  let hadBom = false;
  let layout: Layout | null = null;
  let parser: Parser | null = null;
  let tail = '';
  let header: CsvHeader | null = null;
  let columnCount = 0;
  let rowCount = 0;
  let raggedRowCount = 0;
  let malformedQuoteRow: number | null = null;
  let malformedQuoteRowCount = 0;
  const rowLines = emptyRowLines();
  /** Line of the file the next row starts on. */
  let line = 1;

  function start(sample: Uint8Array, complete: boolean): void {
    const bom = byteOrderMark(sample);
    hadBom = bom !== null;
    encoding = options.encoding ?? bom?.encoding ?? detectEncoding(sample, complete);
    // TextDecoder drops a BOM of its own encoding; one of another encoding (a forced re-read) is dropped here.
    const body = bom && bom.encoding !== encoding ? sample.subarray(bom.length) : sample;
    if (!encoding.startsWith('utf-16')) {
      const problem = binaryFileProblem(bom ? sample.subarray(bom.length) : sample);
      if (problem) throw new CsvError('binary_file', problem);
    }
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
    repair = encoding === 'windows-1252';
    const text = decode(body, false);
    layout = sniffLayout(text, complete, options.delimiter);
    parser = new Papa.Parser({ delimiter: layout.delimiter, newline: layout.newline, quoteChar: '"' });
    state = 'reading';
    // Excel's `sep=;` line is a line of the file, if not a row.
    if (layout.skip) line++;
    parse(layout.skip ? text.slice(layout.skip) : text, false);
  }

  function decode(bytes: Uint8Array | undefined, final: boolean): string {
    let text: string;
    try {
      text = (decoder as TextDecoder).decode(bytes, { stream: !final });
    } catch {
      const near = rowCount + 1 + linesBeforeInvalidByte(bytes, encoding);
      throw new CsvError(
        'invalid_encoding',
        `The file is not valid ${ENCODING_LABELS[encoding]} text (near row ${near}). It can be read as ${ENCODING_LABELS['windows-1252']} instead.`,
        near,
      );
    }
    if (repair) text = repairWindows1252(text);
    if (text.includes('\u0000')) {
      throw new CsvError('binary_file', `The file contains binary data near row ${rowCount + 1}: it is not a text CSV file, or it is damaged.`, rowCount + 1);
    }
    return text;
  }

  function parse(text: string, final: boolean): void {
    let input = tail ? tail + text : text;
    tail = '';
    // A last row ending in a bare '\r' (CRLF file cut before its '\n') would otherwise keep the '\r' after a quote.
    if (final && layout?.newline === '\n' && input.endsWith('\r')) input = input.slice(0, -1);
    if (!input) return;
    const { delimiter, newline } = layout as Layout;
    const out = (parser as Parser).parse(input, 0, !final) as ParseOutput;
    let rows = out.data;
    let cursor = final ? input.length : out.meta.cursor;
    let malformed: readonly number[] = [];
    // Rows that end in a line break: all but the last at the end of the file, where papaparse always returns a last
    // row after the final break (empty when the file ends with one) and lenientParse only one with content.
    let unterminatedLast = final;
    // papaparse reads a quote that does not close where it should as the start of a value running on to the next
    // likely closing quote, possibly the end of the file: one such row would glue rows together or refuse the
    // file. Such text, and a value unfinished for too long, is read again the way spreadsheets read it.
    if (out.errors.some(isQuoteTrouble) || (!final && input.length - cursor > MAX_ROW_CHARS)) {
      const lenient = lenientParse(input, delimiter, newline, final, MAX_ROW_CHARS);
      rows = lenient.data;
      cursor = lenient.cursor;
      malformed = lenient.malformed;
      unterminatedLast = final && !input.endsWith(newline);
    }
    emit(rows, malformed, countBreaks(input, cursor, newline) - (rows.length - (unterminatedLast ? 1 : 0)));
    if (!final) {
      tail = input.slice(cursor);
      // Only an unquoted line can still be this long (a quoted value is read as plain text past MAX_ROW_CHARS).
      if (tail.length > MAX_ROW_CHARS) throw rowTooLong();
    }
  }

  function rowTooLong(): CsvError {
    const row = header ? rowCount + 1 : null;
    const where = row === null ? 'The header row' : `Row ${row} (line ${line} of the file)`;
    return new CsvError('row_too_long', `${where} goes on for more than ${MAX_ROW_CHARS / 1024 / 1024} MB without a line break: this does not look like a CSV file.`, row);
  }

  /**
   * Hands on the data rows, counting lines: each row takes its own line plus the line breaks inside its quoted
   * values (`innerBreaks` in all, so the common case of none costs no look at the values).
   */
  function emit(rows: string[][], malformed: readonly number[], innerBreakCount: number): void {
    let innerBreaks = innerBreakCount;
    const stripCr = layout?.newline === '\n';
    const newline = (layout as Layout).newline;
    const malformedAt = new Set(malformed);
    const firstRowNumber = rowCount + 1;
    let kept = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as string[];
      const last = row.length - 1;
      const rowLine = line;
      line++;
      // Once every inner break of the chunk is placed, the remaining rows need no look at their values.
      if (innerBreaks > 0) {
        const breaks = breaksIn(row, newline);
        line += breaks;
        innerBreaks -= breaks;
      }
      // The '\r' of a CRLF line end (rows split on '\n'); a quoted value that really ends in '\r' loses it too.
      if (stripCr && (row[last] as string).charCodeAt((row[last] as string).length - 1) === 13) {
        row[last] = (row[last] as string).slice(0, -1);
      }
      if (last === 0 && (row[0] as string).trim() === '') continue;
      if (!header) {
        readHeader(row);
        continue;
      }
      rowCount++;
      addRowLine(rowLines, rowCount, rowLine);
      if (row.length !== columnCount) raggedRowCount++;
      if (malformedAt.has(i)) {
        malformedQuoteRowCount++;
        malformedQuoteRow ??= rowCount;
      }
      // Compacting in place: blank lines and the header leave no trace, and no second array is made.
      if (kept !== i) rows[kept] = row;
      kept++;
    }
    rows.length = kept;
    if (kept > 0) onRows(rows, firstRowNumber);
  }

  function readHeader(row: string[]): void {
    if (row.length > MAX_COLUMNS) {
      throw new CsvError('too_many_columns', `The file has ${row.length} columns; at most ${MAX_COLUMNS} can be imported. Remove the columns you don't need and upload it again.`);
    }
    const l = layout as Layout;
    columnCount = row.length;
    header = {
      headers: uniqueHeaders(row),
      rawHeaders: row,
      delimiter: l.delimiter,
      encoding,
      encodingLabel: ENCODING_LABELS[encoding],
      hadBom,
      lineEnding: l.lineEnding,
    };
    options.onHeader?.(header);
  }

  function guarded<A extends unknown[], R>(body: (...args: A) => R): (...args: A) => R {
    return (...args) => {
      if (state === 'closed') throw new Error('this CSV reader has already ended or failed');
      try {
        return body(...args);
      } catch (error) {
        state = 'closed';
        throw error;
      }
    };
  }

  return {
    push: guarded((bytes: Uint8Array) => {
      if (state === 'sniffing') {
        const take = Math.min(bytes.length, SNIFF_BYTES - sniffed);
        sniff.set(bytes.subarray(0, take), sniffed);
        sniffed += take;
        if (sniffed < SNIFF_BYTES) return;
        start(sniff, false);
        bytes = bytes.subarray(take);
        if (bytes.length === 0) return;
      }
      parse(decode(bytes, false), false);
    }),
    end: guarded((): CsvSummary => {
      if (state === 'sniffing') start(sniff.subarray(0, sniffed), true);
      parse(decode(undefined, true), true);
      state = 'closed';
      if (!header) throw new CsvError('empty_file', 'The file is empty: it has no header row and no data.');
      const h: CsvHeader = header;
      if (rowCount === 0) {
        const names = h.headers.slice(0, 3).join(', ') + (h.headers.length > 3 ? ', …' : '');
        throw new CsvError('header_only', `The file has a header row (${names}) but no data rows.`);
      }
      return { ...h, rowCount, raggedRowCount, malformedQuoteRow, malformedQuoteRowCount, rowLines };
    }),
  };
}

/** Line breaks in input[0, end). */
function countBreaks(input: string, end: number, newline: string): number {
  let n = 0;
  for (let i = input.indexOf(newline); i !== -1 && i < end; i = input.indexOf(newline, i + 1)) n++;
  return n;
}

function breaksIn(row: readonly string[], newline: string): number {
  let n = 0;
  for (const value of row) for (let i = value.indexOf(newline); i !== -1; i = value.indexOf(newline, i + 1)) n++;
  return n;
}

/** Where the first undecodable byte is, in lines, so the error can point near the right row. */
function linesBeforeInvalidByte(bytes: Uint8Array | undefined, encoding: CsvEncoding): number {
  if (!bytes) return 0;
  const text = new TextDecoder(encoding).decode(bytes);
  const bad = text.indexOf('\ufffd');
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < bad; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}
