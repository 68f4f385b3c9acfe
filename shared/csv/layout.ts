import Papa from 'papaparse';

/** Delimiters tried when the user did not choose one, in order of preference on a tie. */
export const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'] as const;

export type LineEnding = 'crlf' | 'lf' | 'cr';

export type Layout = {
  delimiter: string;
  /** What papaparse splits rows on. CRLF files are read with '\n' and the '\r' dropped, which keeps a file with
   * mixed line endings (concatenated exports) from gluing rows together. '\r' only for old-Mac files. */
  newline: '\n' | '\r';
  lineEnding: LineEnding;
  /** Characters to drop before parsing: Excel's `sep=;` first line, which names the delimiter. */
  skip: number;
};

const SAMPLE_ROWS = 20;
const EXCEL_SEP_LINE = /^sep=(.)(\r\n|\n|\r)/i;

function lineEnding(text: string): LineEnding {
  let crlf = 0;
  let lf = 0;
  let cr = 0;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) === 10) crlf++;
    else cr++;
  }
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lf++;
  lf -= crlf;
  if (crlf === 0 && lf === 0 && cr > 0) return 'cr';
  return crlf > 0 && crlf >= lf ? 'crlf' : 'lf';
}

function isBlank(row: string[]): boolean {
  return row.length === 1 && (row[0] as string).trim() === '';
}

/**
 * Picks the delimiter that splits the sample's rows most consistently: the header must have at least two fields
 * under it, and the share of rows with as many fields as the header decides (quotes are honoured, so commas inside
 * quoted values don't count). Ties go to more columns, then to the order of CANDIDATE_DELIMITERS.
 */
export function detectDelimiter(sample: string, newline: '\n' | '\r', complete: boolean): string {
  let best: { delimiter: string; consistency: number; columns: number } | null = null;
  for (const delimiter of CANDIDATE_DELIMITERS) {
    const parsed = new Papa.Parser({ delimiter, newline, preview: SAMPLE_ROWS }).parse(sample, 0, !complete) as { data: string[][] };
    const rows = parsed.data.filter((r) => !isBlank(r));
    const columns = rows[0]?.length ?? 0;
    if (columns < 2) continue;
    const consistency = rows.filter((r) => r.length === columns).length / rows.length;
    if (!best || consistency > best.consistency || (consistency === best.consistency && columns > best.columns)) {
      best = { delimiter, consistency, columns };
    }
  }
  return best?.delimiter ?? ',';
}

/** Reads the layout from the start of a file; `complete` when `sample` is the whole file. */
export function sniffLayout(sample: string, complete: boolean, delimiterOverride?: string): Layout {
  const sep = EXCEL_SEP_LINE.exec(sample);
  const skip = sep ? sep[0].length : 0;
  const text = skip ? sample.slice(skip) : sample;
  const ending = lineEnding(text);
  const newline = ending === 'cr' ? '\r' : '\n';
  // A quote or a line break cannot delimit fields: such an override is ignored rather than misread silently.
  const usableOverride = delimiterOverride && !/["\r\n]/.test(delimiterOverride) ? delimiterOverride : undefined;
  const delimiter = usableOverride || sep?.[1] || detectDelimiter(text, newline, complete);
  return { delimiter, newline, lineEnding: ending, skip };
}
