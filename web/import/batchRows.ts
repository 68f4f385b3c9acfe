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
 * A batch's rows packed for a pool worker: every value back to back in ONE string (lengths say where each ends)
 * and the per-row numbers in typed arrays whose buffers are transferred, not copied. Posting 5,000 rows as row
 * objects makes the tab's thread structured-clone 50,000 small strings; this is one string copy.
 */
export interface PackedBatchRows {
  /** Values per row (the imported columns). */
  width: number;
  text: string;
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
  const width = columnIndexes.length;
  const parts = new Array<string>(count * width);
  const lengths = new Uint32Array(count * width);
  const rowNumbers = new Uint32Array(count);
  const lines = new Uint32Array(count);
  const fieldCounts = new Int32Array(count);
  for (let r = first, i = 0; r < end; r++, i++) {
    for (let j = 0; j < width; j++) {
      const value = rows.get(r, columnIndexes[j] as number) ?? '';
      parts[i * width + j] = value;
      lengths[i * width + j] = value.length;
    }
    rowNumbers[i] = r + 1;
    const fields = rows.fieldCount(r);
    fieldCounts[i] = fields === headerCount ? -1 : fields;
    lines[i] = rows.line?.(r) ?? 0;
  }
  return { width, text: parts.join(''), lengths, rows: rowNumbers, lines, fieldCounts };
}

/** The buffers to list in postMessage's transfer list: they move to the worker, the sender's views go empty. */
export const packedTransferables = (packed: PackedBatchRows): ArrayBuffer[] => [packed.lengths.buffer, packed.rows.buffer, packed.lines.buffer, packed.fieldCounts.buffer];

/** The rows of a PackedBatchRows, as buildBatchRows builds them. */
export function unpackBatchRows(packed: PackedBatchRows): BatchRow[] {
  const { width, text, lengths } = packed;
  const out: BatchRow[] = new Array(packed.rows.length);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    const values = new Array<string>(width);
    for (let j = 0; j < width; j++) {
      const length = lengths[i * width + j] as number;
      values[j] = text.slice(at, at + length);
      at += length;
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
