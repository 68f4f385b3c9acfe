import type { CrmField } from '../../shared/schema/crm.ts';
import type { AllowedValue } from '../../shared/schema/fields.ts';
import type { ImportMapping } from '../../shared/schema/mapping.ts';

/** One CRM pick list mapped onto a platform field: what that field may hold, as far as this sync is concerned. */
export type MappedPickList = { fieldKey: string; crmField: string; values: AllowedValue[] };

// Single-choice pick lists only: Salesforce's and Dataverse's `picklist`. A multi-select holds several values in one
// cell, and a Salesforce combobox accepts any text, so neither limits what the field may hold.
const SINGLE_CHOICE = 'picklist';

/**
 * The pick lists among the mapped CRM fields, as the CRM describes them now: each option's label (what the
 * connectors hand over in records, what members hold) and its code. Pure.
 */
export function mappedPickLists(mapping: ImportMapping, described: readonly CrmField[]): MappedPickList[] {
  const byName = new Map(described.map((f) => [f.name, f]));
  const lists: MappedPickList[] = [];
  for (const column of mapping.columns) {
    const field = byName.get(column.column);
    if (column.target === null || field?.type !== SINGLE_CHOICE || !field.options?.length) continue;
    lists.push({ fieldKey: column.target, crmField: field.name, values: field.options.map((o) => ({ label: o.label, code: o.value })) });
  }
  return lists;
}
