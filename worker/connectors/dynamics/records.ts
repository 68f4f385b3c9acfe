import type { CrmField } from '../../../shared/schema/crm.ts';
import { webApiProperty } from './odataFilter.ts';

export const FORMATTED_VALUE = 'OData.Community.Display.V1.FormattedValue';

/** Columns whose raw value is a code or an id: rows carry what people see (a choice's label, a lookup's record name). */
const LABELLED_TYPES = new Set(['picklist', 'state', 'status', 'boolean', 'multiselectpicklist', 'lookup', 'customer', 'owner']);

export type ReadColumn = { name: string; property: string; labelled: boolean };

export function readColumns(fields: readonly Pick<CrmField, 'name' | 'type'>[]): ReadColumn[] {
  return fields.map((f) => ({ name: f.name, property: webApiProperty(f), labelled: LABELLED_TYPES.has(f.type) }));
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** One Web API entity → flat strings keyed by logical name; annotations and etags are dropped, null stays null. */
export function flattenRecord(entity: Record<string, unknown>, columns: readonly ReadColumn[]): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  for (const column of columns) {
    const raw = entity[column.property];
    const formatted = column.labelled ? entity[`${column.property}@${FORMATTED_VALUE}`] : undefined;
    row[column.name] = raw === null || raw === undefined ? null : asText(formatted ?? raw);
  }
  return row;
}
