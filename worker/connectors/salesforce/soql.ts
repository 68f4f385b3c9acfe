import type { CrmField, CrmFilter } from '../../../shared/schema/crm.ts';
import { dayRange } from '../../../shared/crm/dayRange.ts';
import { CrmError, SelectionError } from '../connector.ts';

/**
 * SOQL from the user's choices. Field and object names come only from Salesforce's own describe (a name not in it
 * is refused); values only as literals typed by the field: strings quoted and escaped, numbers/dates/booleans
 * checked against their grammar. Nothing the user typed reaches the query any other way.
 */

/** The fields of one object as describe lists them, by API name. */
export type ObjectFields = ReadonlyMap<string, CrmField>;

// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A SOQL string literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => STRING_ESCAPES[c] ?? c)}'`;
}

/** A LIKE pattern matching `value` literally, with `%` added where the operator wants it. */
export function soqlLikePattern(value: string, mode: 'contains' | 'starts_with'): string {
  const inner = soqlString(value).slice(1, -1).replace(/[%_]/g, (c) => `\\${c}`);
  return mode === 'contains' ? `'%${inner}%'` : `'${inner}%'`;
}

const TEXT_TYPES = new Set(['string', 'email', 'phone', 'url', 'picklist', 'combobox', 'textarea', 'encryptedstring']);
const ID_TYPES = new Set(['id', 'reference']);
const NUMBER_TYPES = new Set(['int', 'double', 'currency', 'percent', 'long']);

const NUMBER = /^[+-]?\d{1,18}(\.\d{1,18})?$/;
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

function refuse(filter: CrmFilter, reason: string): CrmError {
  return new SelectionError(`Filter on "${filter.field}": ${reason}`);
}

function isValidDate(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

function literal(field: CrmField, filter: CrmFilter): string {
  const value = filter.value.trim();
  if (TEXT_TYPES.has(field.type) || field.type === 'multipicklist') return soqlString(filter.value);
  if (ID_TYPES.has(field.type)) {
    if (!SALESFORCE_ID.test(value)) throw refuse(filter, `"${filter.value}" is not a Salesforce record id`);
    return soqlString(value);
  }
  if (NUMBER_TYPES.has(field.type)) {
    if (!NUMBER.test(value)) throw refuse(filter, `"${filter.value}" is not a number`);
    return value;
  }
  if (field.type === 'boolean') {
    const v = value.toLowerCase();
    if (v === 'true' || v === 'false') return v;
    throw refuse(filter, `"${filter.value}" is not true or false`);
  }
  if (field.type === 'date') {
    if (DATE_ONLY.test(value) && isValidDate(value)) return value;
    throw refuse(filter, `"${filter.value}" is not a date (YYYY-MM-DD)`);
  }
  if (field.type === 'datetime') {
    // A plain date is a whole day: dayCondition() turns it into a range before a literal is needed.
    if (DATE_TIME.test(value) && isValidDate(value.slice(0, 10))) return value;
    throw refuse(filter, `"${filter.value}" is not a date or date-time (YYYY-MM-DDThh:mm:ssZ)`);
  }
  throw refuse(filter, `fields of type ${field.type} cannot be filtered`);
}

/**
 * A day on a dateTime field, in the user's time zone (shared/crm/dayRange.ts): "is on" is the range of that day,
 * "after" starts at the next midnight, "before" ends at its midnight. A date field compares dates as they are.
 */
function dayCondition(field: CrmField, filter: CrmFilter): string | null {
  const day = filter.value.trim();
  if (field.type !== 'datetime' || !DATE_ONLY.test(day) || !isValidDate(day)) return null;
  const { start, end } = dayRange(day, filter.timeZone ?? 'UTC');
  const name = field.name;
  switch (filter.operator) {
    case 'equals':
      return `(${name} >= ${start} AND ${name} < ${end})`;
    // Like SOQL's own !=, a record without a date is not on that day.
    case 'not_equals':
      return `(${name} < ${start} OR ${name} >= ${end} OR ${name} = null)`;
    case 'greater_than':
      return `${name} >= ${end}`;
    case 'less_than':
      return `${name} < ${start}`;
    default:
      return null;
  }
}

/** One condition of the WHERE clause. */
export function soqlCondition(field: CrmField, filter: CrmFilter): string {
  if (!field.filterable) throw refuse(filter, 'Salesforce cannot filter on this field');
  const day = dayCondition(field, filter);
  if (day) return day;
  const name = field.name;
  switch (filter.operator) {
    case 'is_empty':
      return `${name} = null`;
    case 'is_not_empty':
      return `${name} != null`;
    case 'equals':
    case 'not_equals': {
      if (filter.value === '') throw refuse(filter, 'give a value, or use "is empty"');
      const op = filter.operator === 'equals' ? '=' : '!=';
      if (field.type === 'multipicklist') return `${name} ${filter.operator === 'equals' ? 'INCLUDES' : 'EXCLUDES'} (${literal(field, filter)})`;
      return `${name} ${op} ${literal(field, filter)}`;
    }
    case 'contains':
    case 'starts_with': {
      if (filter.value === '') throw refuse(filter, 'give the text to look for');
      if (field.type === 'multipicklist' && filter.operator === 'contains') return `${name} INCLUDES (${literal(field, filter)})`;
      if (!TEXT_TYPES.has(field.type)) throw refuse(filter, `"${filter.operator.replace('_', ' ')}" works on text fields only`);
      return `${name} LIKE ${soqlLikePattern(filter.value, filter.operator)}`;
    }
    case 'greater_than':
    case 'less_than': {
      if (field.type === 'boolean' || field.type === 'multipicklist' || ID_TYPES.has(field.type)) {
        throw refuse(filter, `fields of type ${field.type} cannot be compared`);
      }
      if (filter.value === '') throw refuse(filter, 'give a value to compare with');
      return `${name} ${filter.operator === 'greater_than' ? '>' : '<'} ${literal(field, filter)}`;
    }
  }
}

function lookUp(fields: ObjectFields, name: string, what: string): CrmField {
  const field = fields.get(name);
  if (!field) throw new SelectionError(`${what} "${name}" is not a field of this object`, 'INVALID_FIELD');
  return field;
}

function whereClause(fields: ObjectFields, filters: readonly CrmFilter[]): string {
  if (!filters.length) return '';
  return ` WHERE ${filters.map((f) => soqlCondition(lookUp(fields, f.field, 'Filter field'), f)).join(' AND ')}`;
}

function objectName(object: string): string {
  if (!OBJECT_NAME.test(object)) throw new SelectionError(`"${object}" is not a Salesforce object name`, 'INVALID_TYPE');
  return object;
}

export type SelectQuery = {
  object: string;
  fields: ObjectFields;
  select: readonly string[];
  filters: readonly CrmFilter[];
  limit?: number;
};

export function buildSelect(q: SelectQuery): string {
  if (!q.select.length) throw new SelectionError('choose at least one field to read');
  const names = [...new Set(q.select)].map((n) => lookUp(q.fields, n, 'Field').name);
  const limit = q.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(q.limit))}`;
  return `SELECT ${names.join(', ')} FROM ${objectName(q.object)}${whereClause(q.fields, q.filters)}${limit}`;
}

export function buildCount(q: Omit<SelectQuery, 'select' | 'limit'>): string {
  return `SELECT COUNT() FROM ${objectName(q.object)}${whereClause(q.fields, q.filters)}`;
}
