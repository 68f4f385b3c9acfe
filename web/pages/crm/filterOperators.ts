import type { CrmField, FilterOperator } from '../../../shared/schema/crm.ts';

export type ValueInput =
  | { kind: 'none' }
  | { kind: 'text' }
  | { kind: 'number' }
  | { kind: 'date' }
  | { kind: 'choice'; options: { value: string; label: string }[] };

type Family = 'text' | 'number' | 'date' | 'choice' | 'boolean' | 'reference' | 'multi';

// Salesforce describe types and Dataverse attribute types, lowercased as CrmField carries them.
const FAMILIES: Record<string, Family> = {
  int: 'number', double: 'number', currency: 'number', percent: 'number', long: 'number',
  integer: 'number', bigint: 'number', decimal: 'number', money: 'number',
  date: 'date', datetime: 'date',
  picklist: 'choice', state: 'choice', status: 'choice',
  boolean: 'boolean',
  id: 'reference', reference: 'reference', lookup: 'reference', customer: 'reference', owner: 'reference', uniqueidentifier: 'reference',
  multipicklist: 'multi', multiselectpicklist: 'multi',
};

const familyOf = (field: Pick<CrmField, 'type' | 'options'>): Family => FAMILIES[field.type] ?? (field.options?.length ? 'choice' : 'text');

const EMPTY: FilterOperator[] = ['is_empty', 'is_not_empty'];
const OPERATORS: Record<Family, FilterOperator[]> = {
  text: ['equals', 'not_equals', 'contains', 'starts_with', ...EMPTY],
  number: ['equals', 'not_equals', 'greater_than', 'less_than', ...EMPTY],
  date: ['greater_than', 'less_than', 'equals', ...EMPTY],
  choice: ['equals', 'not_equals', ...EMPTY],
  boolean: ['equals'],
  reference: ['equals', 'not_equals', ...EMPTY],
  multi: EMPTY,
};

const LABELS: Record<FilterOperator, string> = {
  equals: 'is',
  not_equals: 'is not',
  contains: 'contains',
  starts_with: 'starts with',
  greater_than: 'is more than',
  less_than: 'is less than',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
};

/** The comparisons that make sense for a field, in words; dates say before/after. */
export function operatorsFor(field: Pick<CrmField, 'type' | 'options'> | undefined): { operator: FilterOperator; label: string }[] {
  const family = field ? familyOf(field) : 'text';
  return OPERATORS[family].map((operator) => ({
    operator,
    label:
      family === 'date' && operator === 'greater_than' ? 'is after'
      : family === 'date' && operator === 'less_than' ? 'is before'
      : family === 'date' && operator === 'equals' ? 'is on'
      : LABELS[operator],
  }));
}

/** What the value box should be: none for emptiness tests, a list for choices and yes/no, a date picker for dates. */
export function valueInputFor(field: Pick<CrmField, 'type' | 'options'> | undefined, operator: FilterOperator): ValueInput {
  if (operator === 'is_empty' || operator === 'is_not_empty') return { kind: 'none' };
  const family = field ? familyOf(field) : 'text';
  if (family === 'boolean') return { kind: 'choice', options: [{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }] };
  if (family === 'choice' && field?.options?.length) return { kind: 'choice', options: field.options };
  if (family === 'number') return { kind: 'number' };
  if (family === 'date') return { kind: 'date' };
  return { kind: 'text' };
}

/** A filter row is ready to send when it needs no value or has one. */
export function filterComplete(filter: { field: string; operator: FilterOperator; value: string }, field: Pick<CrmField, 'type' | 'options'> | undefined): boolean {
  return filter.field !== '' && (valueInputFor(field, filter.operator).kind === 'none' || filter.value.trim() !== '');
}
