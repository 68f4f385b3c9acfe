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

/** Same seq, same key: a retry (even from another tab after a reload) is answered from the stored result. */
export function idempotencyKey(importId: string, seq: number): string {
  return `import-${importId}-batch-${seq}`;
}
