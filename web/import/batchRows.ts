import { importedColumns } from '../../shared/mapping/importedColumns.ts';
import type { BatchRow } from '../../shared/schema/imports.ts';
import type { ImportMapping } from '../../shared/schema/mapping.ts';

/** What the save pipeline reads from the in-tab row store: 0-based data rows, cell values with edits applied. */
export interface RowSource {
  readonly rowCount: number;
  /** The cell as the user sees it (edited value if edited); undefined past the end of a short row. */
  get(row: number, column: number): string | undefined;
  /** How many fields the source row really had: differs from the header count on ragged rows. */
  fieldCount(row: number): number;
  /** The line of the file the row starts on (see RowLines), when the rows come from a file. */
  line?(row: number): number | null;
  /**
   * Rows [first, end), every column, as RowStore.packedRows gives them (texts and lengths), or null when a row there
   * is ragged or edited.
   */
  packedRows?(first: number, end: number): { texts: string[]; lengths: Uint32Array<ArrayBuffer> } | null;
}

/** Positions in the source row of the imported columns, in the order batch values are sent. */
export function importedColumnIndexes(mapping: Pick<ImportMapping, 'columns'>, headers: readonly string[]): number[] {
  return importedColumns(mapping).map((c) => {
    const at = headers.indexOf(c.column);
    if (at < 0) throw new Error(`column "${c.column}" is not in this file`);
    return at;
  });
}

/** Data rows [first, end) of batch `seq`: batches are fixed slices, so a resumed import lines up with the first try. */
export function batchRange(seq: number, batchSize: number, rowCount: number): { first: number; end: number } {
  const first = Math.min(seq * batchSize, rowCount);
  return { first, end: Math.min(first + batchSize, rowCount) };
}

export function batchCount(rowCount: number, batchSize: number): number {
  return Math.ceil(rowCount / batchSize);
}

/**
 * Builds batch `seq`: only imported columns travel, `row` is the grid's 1-based row number, `line` the line of the
 * file it starts on (when known), and `fieldCount` is set only on ragged rows so the Worker can reject them with
 * the row number the user sees.
 */
export function buildBatchRows(rows: RowSource, columnIndexes: readonly number[], headerCount: number, seq: number, batchSize: number): BatchRow[] {
  const { first, end } = batchRange(seq, batchSize, rows.rowCount);
  const out: BatchRow[] = new Array(end - first);
  for (let r = first; r < end; r++) {
    const values = new Array<string>(columnIndexes.length);
    for (let j = 0; j < columnIndexes.length; j++) values[j] = rows.get(r, columnIndexes[j] as number) ?? '';
    const fields = rows.fieldCount(r);
    const batchRow: BatchRow = fields === headerCount ? { row: r + 1, values } : { row: r + 1, values, fieldCount: fields };
    const line = rows.line?.(r);
    if (line != null) batchRow.line = line;
    out[r - first] = batchRow;
  }
  return out;
}

/**
 * A batch's rows packed for a pool worker: the values back to back in a string or two (lengths say where each
 * ends) and the per-row numbers in typed arrays whose buffers are transferred, not copied. Posting 5,000 rows as
 * row objects makes the tab's thread structured-clone 50,000 small strings; this is one string copy. When the row
 * store can give its rows as they are (RowSource.packedRows: every column, no edit, no ragged row), the strings
 * are slices of the store's own text and the tab makes no string per cell either: the worker picks the imported
 * columns.
 */
export interface PackedBatchRows {
  /** Values per row in `texts` and `lengths`. */
  width: number;
  /** Which of a row's `width` values the batch sends, in order: the imported columns. */
  columns: number[];
  /** The values, row after row, in one or more pieces that each end at a row's end. */
  texts: string[];
  /** UTF-16 length of each value, row by row. */
  lengths: Uint32Array<ArrayBuffer>;
  /** 1-based row number; the file line it starts on or 0 when unknown; its field count or -1 when not ragged. */
  rows: Uint32Array<ArrayBuffer>;
  lines: Uint32Array<ArrayBuffer>;
  fieldCounts: Int32Array<ArrayBuffer>;
}

/** buildBatchRows, packed (see PackedBatchRows); unpackBatchRows gives back exactly what buildBatchRows gives. */
export function buildPackedBatchRows(rows: RowSource, columnIndexes: readonly number[], headerCount: number, seq: number, batchSize: number): PackedBatchRows {
  const { first, end } = batchRange(seq, batchSize, rows.rowCount);
  const count = end - first;
  const rowNumbers = new Uint32Array(count);
  const lines = new Uint32Array(count);
  const fieldCounts = new Int32Array(count);
  for (let r = first, i = 0; r < end; r++, i++) {
    rowNumbers[i] = r + 1;
    lines[i] = rows.line?.(r) ?? 0;
  }
  const whole = rows.packedRows?.(first, end);
  if (whole && whole.lengths.length === count * headerCount) {
    // Every row has the headers' field count (packedRows' promise), so none is ragged.
    fieldCounts.fill(-1);
    return { width: headerCount, columns: [...columnIndexes], texts: whole.texts, lengths: whole.lengths, rows: rowNumbers, lines, fieldCounts };
  }
  const width = columnIndexes.length;
  const parts = new Array<string>(count * width);
  const lengths = new Uint32Array(count * width);
  for (let r = first, i = 0; r < end; r++, i++) {
    for (let j = 0; j < width; j++) {
      const value = rows.get(r, columnIndexes[j] as number) ?? '';
      parts[i * width + j] = value;
      lengths[i * width + j] = value.length;
    }
    const fields = rows.fieldCount(r);
    fieldCounts[i] = fields === headerCount ? -1 : fields;
  }
  return { width, columns: Array.from({ length: width }, (_, j) => j), texts: [parts.join('')], lengths, rows: rowNumbers, lines, fieldCounts };
}

/** The buffers to list in postMessage's transfer list: they move to the worker, the sender's views go empty. */
export const packedTransferables = (packed: PackedBatchRows): ArrayBuffer[] => [packed.lengths.buffer, packed.rows.buffer, packed.lines.buffer, packed.fieldCounts.buffer];

/** The rows of a PackedBatchRows, as buildBatchRows builds them. */
export function unpackBatchRows(packed: PackedBatchRows): BatchRow[] {
  const { width, columns, lengths } = packed;
  const text = packed.texts.length === 1 ? (packed.texts[0] as string) : packed.texts.join('');
  const out: BatchRow[] = new Array(packed.rows.length);
  const starts = new Array<number>(width);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < width; k++) {
      starts[k] = at;
      at += lengths[i * width + k] as number;
    }
    const values = new Array<string>(columns.length);
    for (let j = 0; j < columns.length; j++) {
      const k = columns[j] as number;
      const start = starts[k] as number;
      values[j] = text.slice(start, start + (lengths[i * width + k] as number));
    }
    const fields = packed.fieldCounts[i] as number;
    const batchRow: BatchRow = fields < 0 ? { row: packed.rows[i] as number, values } : { row: packed.rows[i] as number, values, fieldCount: fields };
    const line = packed.lines[i] as number;
    if (line > 0) batchRow.line = line;
    out[i] = batchRow;
  }
  return out;
}

/** Same seq, same key: a retry (even from another tab after a reload) is answered from the stored result. */
export function idempotencyKey(importId: string, seq: number): string {
  return `import-${importId}-batch-${seq}`;
}
