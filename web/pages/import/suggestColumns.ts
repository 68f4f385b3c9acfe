import type { Field } from '../../../shared/schema/fields.ts';
import type { ColumnState } from '../../grid/columnState.ts';
import type { RowStore } from '../../rows/rowStore.ts';

export type { ColumnState };

/** First mapping of a fresh file: suggestions for every column and the identifier they point at. */
export function suggestColumns(headers: readonly string[], _fields: readonly Field[], _rows: RowStore): { columns: ColumnState[]; identifier: string | null } {
  return { columns: headers.map((header) => ({ header, target: null, suggested: false, sensitive: false })), identifier: null };
}
