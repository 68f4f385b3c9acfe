import type { CrmField } from '../../../shared/schema/crm.ts';
import type { CrmWriteResult } from '../connector.ts';
import { odataString, webApiProperty } from './odataFilter.ts';

/**
 * Text values (as the platform holds them) → the Web API's JSON, by the table's metadata. Pure. Choice labels become
 * their option values; a label that is no choice, or any value that cannot convert, fails that record alone, worded
 * for the report. A choice value that is a number goes as it is, so Dataverse itself says when it is out of range.
 */

export type WriteFailure = Extract<CrmWriteResult, { ok: false }>;

/** Failures found before asking Dataverse, lower-case so they never pass for its own codes (0x8004…). */
export const APP_CODES = { invalidValue: 'invalid_value', unknownField: 'unknown_field' } as const;

type Json = string | number | boolean | null;

const TEXT = new Set(['string', 'memo', 'email', 'phone', 'url']);
const CHOICE = new Set(['picklist', 'state', 'status']);
const INTEGER = new Set(['integer', 'bigint']);
const DECIMAL = new Set(['decimal', 'double', 'money']);
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const INTEGER_TEXT = /^[+-]?\d{1,18}$/;
const DECIMAL_TEXT = /^[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;
const TRUE = new Set(['true', 'yes', '1', 'y']);
const FALSE = new Set(['false', 'no', '0', 'n']);

/** Lookups the writer can bind: their navigation property and the entity set of each target table. */
const BINDABLE: Record<string, { targets: Record<string, { navigation: string; set: string }>; default: string }> = {
  owner: { targets: { systemuser: { navigation: 'ownerid', set: 'systemusers' }, team: { navigation: 'ownerid', set: 'teams' } }, default: 'systemuser' },
  customer: {
    targets: { account: { navigation: 'parentcustomerid_account', set: 'accounts' }, contact: { navigation: 'parentcustomerid_contact', set: 'contacts' } },
    default: 'account',
  },
};

function isRealDate(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

function choice(field: CrmField, text: string): { ok: true; value: number } | { ok: false; reason: string } {
  const wanted = text.trim();
  const option = field.options?.find((o) => o.label.toLowerCase() === wanted.toLowerCase()) ?? field.options?.find((o) => o.value === wanted);
  if (option && INTEGER_TEXT.test(option.value)) return { ok: true, value: Number(option.value) };
  if (INTEGER_TEXT.test(wanted)) return { ok: true, value: Number(wanted) };
  const labels = (field.options ?? []).map((o) => o.label).join(', ');
  return { ok: false, reason: `"${text}" is not one of its choices${labels ? ` (${labels})` : ''}` };
}

/** One column's JSON: `{ [property]: value }` (a lookup binds through its navigation property), or why not. */
export function dataverseValue(field: CrmField, text: string | null): { ok: true; entries: [string, Json][] } | { ok: false; reason: string } {
  const bindable = BINDABLE[field.type];
  if (text === null || text === '') {
    return { ok: true, entries: [[bindable ? `${bindable.targets[bindable.default]?.navigation ?? field.name}@odata.bind` : field.name, null]] };
  }
  const value = text.trim();
  if (TEXT.has(field.type)) return { ok: true, entries: [[field.name, text]] };
  if (CHOICE.has(field.type)) {
    const c = choice(field, text);
    return c.ok ? { ok: true, entries: [[field.name, c.value]] } : c;
  }
  if (field.type === 'multiselectpicklist') {
    const codes: number[] = [];
    for (const part of text.split(/[;,]/).map((p) => p.trim()).filter(Boolean)) {
      const c = choice(field, part);
      if (!c.ok) return c;
      codes.push(c.value);
    }
    return { ok: true, entries: [[field.name, codes.join(',')]] };
  }
  if (field.type === 'boolean') {
    const lower = value.toLowerCase();
    if (TRUE.has(lower)) return { ok: true, entries: [[field.name, true]] };
    if (FALSE.has(lower)) return { ok: true, entries: [[field.name, false]] };
    return { ok: false, reason: `"${text}" is not yes or no` };
  }
  if (INTEGER.has(field.type)) return INTEGER_TEXT.test(value) ? { ok: true, entries: [[field.name, Number(value)]] } : { ok: false, reason: `"${text}" is not a whole number` };
  if (DECIMAL.has(field.type)) return DECIMAL_TEXT.test(value) ? { ok: true, entries: [[field.name, Number(value)]] } : { ok: false, reason: `"${text}" is not a number` };
  if (field.type === 'datetime') {
    if (DATE_ONLY.test(value) && isRealDate(value)) return { ok: true, entries: [[field.name, value]] };
    if (DATE_TIME.test(value) && isRealDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value))) return { ok: true, entries: [[field.name, new Date(value).toISOString()]] };
    return { ok: false, reason: `"${text}" is not a date (YYYY-MM-DD) or date and time` };
  }
  if (field.type === 'uniqueidentifier') {
    const id = GUID.exec(value)?.[1];
    return id ? { ok: true, entries: [[field.name, id.toLowerCase()]] } : { ok: false, reason: `"${text}" is not a record id` };
  }
  if (bindable) {
    // "contact:<id>" picks the table of a lookup that can point to several; a bare id points to the usual one.
    const m = /^(?:([a-z_]+):)?(.+)$/.exec(value);
    const target = bindable.targets[m?.[1] ?? bindable.default];
    const id = GUID.exec(m?.[2] ?? '')?.[1];
    if (!target) return { ok: false, reason: `"${text}" names a table this column cannot point to` };
    if (!id) return { ok: false, reason: `"${text}" is not a record id` };
    return { ok: true, entries: [[`${target.navigation}@odata.bind`, `/${target.set}(${id.toLowerCase()})`]] };
  }
  return { ok: false, reason: `columns of type ${field.type} cannot be written yet` };
}

/** A record's JSON body, or the first value that cannot be converted, as that record's failure. */
export function dataverseRecord(
  fields: ReadonlyMap<string, CrmField>,
  table: string,
  values: Readonly<Record<string, string | null>>,
): { ok: true; record: Record<string, Json> } | { ok: false; failure: WriteFailure } {
  const record: Record<string, Json> = {};
  for (const [name, text] of Object.entries(values)) {
    const field = fields.get(name.toLowerCase());
    if (!field) return { ok: false, failure: { ok: false, vendorCode: APP_CODES.unknownField, message: `${name} is not a column of ${table}.`, fields: [name] } };
    const converted = dataverseValue(field, text);
    if (!converted.ok) return { ok: false, failure: { ok: false, vendorCode: APP_CODES.invalidValue, message: `${field.label}: ${converted.reason}.`, fields: [field.name] } };
    for (const [key, value] of converted.entries) record[key] = value;
  }
  return { ok: true, record };
}

/**
 * An OData comparison of a column with one value, or null when no record can hold that value (a word for a number
 * column): such a value matches nothing and is left out. Strings are quoted with quotes doubled; a backslash is an
 * ordinary character in OData literals.
 */
export function odataEquals(field: CrmField, text: string): string | null {
  const property = webApiProperty(field);
  if (TEXT.has(field.type)) return `${property} eq ${odataString(text)}`;
  if (BINDABLE[field.type] || field.type === 'lookup') {
    const id = GUID.exec(text.trim())?.[1];
    return id ? `${property} eq ${id.toLowerCase()}` : null;
  }
  const converted = dataverseValue(field, text);
  if (!converted.ok) return null;
  const value = converted.entries[0]?.[1];
  if (value === null || value === undefined) return null;
  return `${property} eq ${typeof value === 'string' ? (field.type === 'datetime' ? value : odataString(value)) : String(value)}`;
}
