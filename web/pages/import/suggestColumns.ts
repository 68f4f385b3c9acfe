import { suggestIdentifier, suggestTargets } from '../../../shared/mapping/suggestTargets.ts';
import type { Field } from '../../../shared/schema/fields.ts';
import type { ColumnState } from '../../grid/columnState.ts';
import type { RowStore } from '../../rows/rowStore.ts';

export type { ColumnState };

/** Rows the suggestions look at: enough to tell emails and phones apart, few enough to stay instant. */
const SAMPLE_ROWS = 200;

/**
 * First mapping of a fresh file, from headers and the first rows: a suggested target per column (shown as
 * "Suggested", for the user to confirm or change) and the identifier column they point at, by header name.
 */
export function suggestColumns(
  headers: readonly string[],
  fields: readonly Field[],
  rows: RowStore,
  defaultCountry: string,
  /** Per column, whether it holds CRM record ids (isCrmIdType): such a column is only suggested for an id field. */
  idColumns?: readonly boolean[],
): { columns: ColumnState[]; identifier: string | null } {
  const sample: string[][] = [];
  for (let r = 0; r < Math.min(rows.rowCount, SAMPLE_ROWS); r++) sample.push(headers.map((_, c) => rows.get(r, c) ?? ''));
  const suggestions = suggestTargets(headers, sample, fields, idColumns ? { defaultCountry, idColumns } : { defaultCountry });
  const columns = headers.map((header, i) => {
    const s = suggestions[i];
    return { header, target: s?.target ?? null, suggested: s != null, sensitive: false };
  });
  const id = suggestIdentifier(headers, suggestions);
  return { columns, identifier: id === null ? null : (headers[id] ?? null) };
}
