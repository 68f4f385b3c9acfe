import type { CrmField } from '../../shared/schema/crm.ts';
import type { AllowedValue } from '../../shared/schema/fields.ts';
import type { ImportMapping } from '../../shared/schema/mapping.ts';

/** One CRM pick list mapped onto a platform field: what that field may hold, as far as this sync is concerned. */
export type MappedPickList = { fieldKey: string; crmField: string; multiple: boolean; values: AllowedValue[] };

// Single choice: `picklist` in both CRMs. Multi-select: Salesforce `multipicklist`, Dataverse `multiselectpicklist`
// (several values a cell, shared/validation/pickListValues.ts). A Salesforce combobox accepts any text: no limit.
const SINGLE_CHOICE = 'picklist';
const MULTI_SELECT = new Set(['multipicklist', 'multiselectpicklist']);

/**
 * The pick lists among the mapped CRM fields, as the CRM describes them now: each option's label (what the
 * connectors hand over in records, what members hold) and its code. Pure.
 */
export function mappedPickLists(mapping: ImportMapping, described: readonly CrmField[]): MappedPickList[] {
  const byName = new Map(described.map((f) => [f.name, f]));
  const lists: MappedPickList[] = [];
  for (const column of mapping.columns) {
    const field = byName.get(column.column);
    if (column.target === null || !field?.options?.length) continue;
    const multiple = MULTI_SELECT.has(field.type);
    if (field.type !== SINGLE_CHOICE && !multiple) continue;
    lists.push({ fieldKey: column.target, crmField: field.name, multiple, values: field.options.map((o) => ({ label: o.label, code: o.value })) });
  }
  return lists;
}
