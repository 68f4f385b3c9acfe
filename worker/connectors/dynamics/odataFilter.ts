import type { CrmField, CrmFilter } from '../../../shared/schema/crm.ts';
import { dayRange } from '../../../shared/crm/dayRange.ts';
import { CrmError, SelectionError } from '../connector.ts';

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const NUMBER = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

const STRING_TYPES = new Set(['string', 'memo', 'email', 'phone', 'url']);
const NUMBER_TYPES = new Set(['integer', 'bigint', 'decimal', 'double', 'money']);
const CHOICE_TYPES = new Set(['picklist', 'state', 'status']);
const LOOKUP_TYPES = new Set(['lookup', 'customer', 'owner']);

/** The Web API names a lookup column by its value property: `parentcustomerid` is read and filtered as `_parentcustomerid_value`. */
export function webApiProperty(field: Pick<CrmField, 'name' | 'type'>): string {
  return LOOKUP_TYPES.has(field.type) ? `_${field.name}_value` : field.name;
}

/** An OData string literal: the only escape inside single quotes is doubling the quote. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Dataverse runs contains/startswith as T-SQL LIKE, so %, _ and [ in the user's text would act as wildcards; a
 * bracketed character matches itself.
 */
export function escapeLikeWildcards(value: string): string {
  return value.replace(/[%_[]/g, (c) => `[${c}]`);
}

function invalid(filter: CrmFilter, reason: string): CrmError {
  return new SelectionError(`Filter on "${filter.field}": ${reason}`);
}

function choiceValue(field: CrmField, filter: CrmFilter): string {
  const wanted = filter.value.trim();
  const option =
    field.options?.find((o) => o.label.toLowerCase() === wanted.toLowerCase()) ?? field.options?.find((o) => o.value === wanted);
  if (option && INTEGER.test(option.value)) return option.value;
  if (INTEGER.test(wanted)) return wanted;
  throw invalid(filter, `"${filter.value}" is not one of its choices`);
}

function booleanValue(filter: CrmFilter): string {
  const v = filter.value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return 'true';
  if (['false', '0', 'no'].includes(v)) return 'false';
  throw invalid(filter, `"${filter.value}" is not yes or no`);
}

/**
 * A day on a date-and-time column, in the user's time zone (shared/crm/dayRange.ts): "is on" is the range of that
 * day, "after" starts at the next midnight, "before" ends at its midnight.
 */
function dayCondition(property: string, field: CrmField, filter: CrmFilter): string | null {
  const day = filter.value.trim();
  if (field.type !== 'datetime' || !DATE_ONLY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) return null;
  const { start, end } = dayRange(day, filter.timeZone ?? 'UTC');
  switch (filter.operator) {
    case 'equals':
      return `(${property} ge ${start} and ${property} lt ${end})`;
    // Like OData's own ne, a record without a date is not on that day.
    case 'not_equals':
      return `(${property} lt ${start} or ${property} ge ${end} or ${property} eq null)`;
    case 'greater_than':
      return `${property} ge ${end}`;
    case 'less_than':
      return `${property} lt ${start}`;
    default:
      return null;
  }
}

/** Literal for a comparison, typed by the column: never user text outside a quoted, escaped string. */
function literal(field: CrmField, filter: CrmFilter): string {
  const value = filter.value.trim();
  if (STRING_TYPES.has(field.type)) return odataString(filter.value);
  if (NUMBER_TYPES.has(field.type)) {
    if (!(field.type === 'integer' || field.type === 'bigint' ? INTEGER : NUMBER).test(value)) throw invalid(filter, `"${filter.value}" is not a number`);
    return value;
  }
  if (CHOICE_TYPES.has(field.type)) return choiceValue(field, filter);
  if (field.type === 'boolean') return booleanValue(filter);
  if (field.type === 'datetime') {
    if (DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return value;
    throw invalid(filter, `"${filter.value}" is not a date (YYYY-MM-DD)`);
  }
  if (LOOKUP_TYPES.has(field.type) || field.type === 'uniqueidentifier') {
    const id = GUID.exec(value)?.[1];
    if (!id) throw invalid(filter, `"${filter.value}" is not a record id`);
    return id.toLowerCase();
  }
  throw invalid(filter, `columns of type ${field.type} cannot be filtered`);
}

function condition(field: CrmField, filter: CrmFilter): string {
  const property = webApiProperty(field);
  const day = dayCondition(property, field, filter);
  if (day) return day;
  switch (filter.operator) {
    case 'is_empty':
      return `${property} eq null`;
    case 'is_not_empty':
      return `${property} ne null`;
    case 'contains':
    case 'starts_with': {
      if (!STRING_TYPES.has(field.type)) throw invalid(filter, `"${filter.operator}" works on text columns only`);
      const fn = filter.operator === 'contains' ? 'contains' : 'startswith';
      return `${fn}(${property},${odataString(escapeLikeWildcards(filter.value))})`;
    }
    case 'equals':
    case 'not_equals': {
      const op = filter.operator === 'equals' ? 'eq' : 'ne';
      return `${property} ${op} ${literal(field, filter)}`;
    }
    case 'greater_than':
    case 'less_than': {
      if (CHOICE_TYPES.has(field.type) || field.type === 'boolean' || LOOKUP_TYPES.has(field.type)) {
        throw invalid(filter, `"${filter.operator}" does not apply to ${field.type} columns`);
      }
      return `${property} ${filter.operator === 'greater_than' ? 'gt' : 'lt'} ${literal(field, filter)}`;
    }
  }
}

/**
 * CrmFilter[] (ANDed) → an OData $filter expression, or null when there is nothing to filter. Field names must be
 * columns of the table (from describe), values become typed literals; raw input is never concatenated.
 */
export function buildODataFilter(filters: readonly CrmFilter[], fields: readonly CrmField[]): string | null {
  if (filters.length === 0) return null;
  const byName = new Map(fields.map((f) => [f.name, f]));
  return filters
    .map((filter) => {
      const field = byName.get(filter.field);
      if (!field) throw invalid(filter, 'no such column on this table');
      if (!field.filterable) throw invalid(filter, 'this column cannot be filtered');
      return condition(field, filter);
    })
    .join(' and ');
}
