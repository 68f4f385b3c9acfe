import type { ColumnMapping, ImportMapping } from '../schema/mapping.ts';

/** Columns that are imported (not skipped), in the order batch row values are sent. */
export function importedColumns(mapping: Pick<ImportMapping, 'columns'>): (ColumnMapping & { target: string })[] {
  return mapping.columns.filter((c): c is ColumnMapping & { target: string } => c.target !== null);
}
