import Papa from 'papaparse';
import type { CrmWriteResult } from '../connector.ts';
import { soqlString } from './soql.ts';

/**
 * Text values (as the platform holds them) → Salesforce's JSON / CSV types, by the object's describe. Pure. A value
 * that cannot be converted is a failure of that one record, worded for the report; what only Salesforce can judge
 * (a restricted picklist, a required field, a read-only field, a duplicate rule) is left to Salesforce, so its own
 * code and message reach the report.
 */

/** The part of a describe field entry a write reads (sObject Describe). */
export type SalesforceWriteField = {
  name: string;
  label: string;
  type: string;
  createable?: boolean;
  updateable?: boolean;
  picklistValues?: readonly { value: string; label: string | null; active: boolean }[] | null;
};

export type SalesforceValue = string | number | boolean | null;

export type WriteFailure = Extract<CrmWriteResult, { ok: false }>;

/**
 * Codes of failures the app finds before asking Salesforce, lower-case so they never pass for Salesforce's own
 * (which are upper-case: REQUIRED_FIELD_MISSING …).
 */
export const APP_CODES = { invalidValue: 'invalid_value', unknownField: 'unknown_field' } as const;

const TEXT = new Set(['string', 'textarea', 'email', 'phone', 'url', 'encryptedstring', 'combobox']);
const INTEGER = new Set(['int', 'long']);
const DECIMAL = new Set(['double', 'currency', 'percent']);
const INTEGER_TEXT = /^[+-]?\d{1,18}$/;
const DECIMAL_TEXT = /^[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})$/;
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const TRUE = new Set(['true', 'yes', '1', 'y']);
const FALSE = new Set(['false', 'no', '0', 'n']);

function isRealDate(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/** A picklist entry by its label (what people see) or its API value, case-insensitively; unknown text passes as typed. */
function picklistValue(field: SalesforceWriteField, text: string): string {
  const wanted = text.trim().toLowerCase();
  const options = field.picklistValues ?? [];
  const byLabel = options.find((p) => p.active && (p.label ?? p.value).toLowerCase() === wanted) ?? options.find((p) => (p.label ?? p.value).toLowerCase() === wanted);
  const byValue = options.find((p) => p.value.toLowerCase() === wanted);
  return (byLabel ?? byValue)?.value ?? text.trim();
}

/** One value: the JSON value Salesforce takes, or why it cannot be one (a sentence without the value's field name). */
export function salesforceValue(field: SalesforceWriteField, text: string | null): { ok: true; value: SalesforceValue } | { ok: false; reason: string } {
  if (text === null || text === '') return { ok: true, value: null };
  const value = text.trim();
  if (TEXT.has(field.type)) return { ok: true, value: text };
  if (field.type === 'picklist') return { ok: true, value: picklistValue(field, text) };
  if (field.type === 'multipicklist') {
    return {
      ok: true,
      value: text
        .split(';')
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => picklistValue(field, part))
        .join(';'),
    };
  }
  if (field.type === 'boolean') {
    const lower = value.toLowerCase();
    if (TRUE.has(lower)) return { ok: true, value: true };
    if (FALSE.has(lower)) return { ok: true, value: false };
    return { ok: false, reason: `"${text}" is not true or false` };
  }
  if (INTEGER.has(field.type)) return INTEGER_TEXT.test(value) ? { ok: true, value: Number(value) } : { ok: false, reason: `"${text}" is not a whole number` };
  if (DECIMAL.has(field.type)) return DECIMAL_TEXT.test(value) ? { ok: true, value: Number(value) } : { ok: false, reason: `"${text}" is not a number` };
  if (field.type === 'date') {
    const day = DATE_TIME.test(value) ? value.slice(0, 10) : value;
    return DATE_ONLY.test(day) && isRealDate(day) ? { ok: true, value: day } : { ok: false, reason: `"${text}" is not a date (YYYY-MM-DD)` };
  }
  if (field.type === 'datetime') {
    if (DATE_ONLY.test(value) && isRealDate(value)) return { ok: true, value: `${value}T00:00:00.000Z` };
    if (DATE_TIME.test(value) && isRealDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value))) return { ok: true, value: new Date(value).toISOString() };
    return { ok: false, reason: `"${text}" is not a date and time (YYYY-MM-DDThh:mm:ssZ)` };
  }
  if (field.type === 'reference' || field.type === 'id') return SALESFORCE_ID.test(value) ? { ok: true, value } : { ok: false, reason: `"${text}" is not a Salesforce record id` };
  return { ok: false, reason: `fields of type ${field.type} cannot be written` };
}

/** Describe fields by API name, found case-insensitively as Salesforce does. */
export function fieldIndex(fields: readonly SalesforceWriteField[]): (name: string) => SalesforceWriteField | undefined {
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  return (name) => byName.get(name.toLowerCase());
}

/** A record's values converted, or the first value that cannot be, as that record's failure. */
export function salesforceRecord(
  fieldOf: (name: string) => SalesforceWriteField | undefined,
  object: string,
  values: Readonly<Record<string, string | null>>,
): { ok: true; record: Record<string, SalesforceValue> } | { ok: false; failure: WriteFailure } {
  const record: Record<string, SalesforceValue> = {};
  for (const [name, text] of Object.entries(values)) {
    const field = fieldOf(name);
    if (!field) return { ok: false, failure: { ok: false, vendorCode: APP_CODES.unknownField, message: `${name} is not a field of ${object}.`, fields: [name] } };
    const converted = salesforceValue(field, text);
    if (!converted.ok) return { ok: false, failure: { ok: false, vendorCode: APP_CODES.invalidValue, message: `${field.label}: ${converted.reason}.`, fields: [field.name] } };
    record[field.name] = converted.value;
  }
  return { ok: true, record };
}

/**
 * A SOQL literal comparing `field` with `text`, or null when no record can hold that value (a word for a number
 * field): such a value matches nothing, and is left out of the query instead of failing it.
 */
export function soqlLiteral(field: SalesforceWriteField, text: string): string | null {
  if (TEXT.has(field.type) || field.type === 'picklist') return soqlString(field.type === 'picklist' ? picklistValue(field, text) : text);
  const converted = salesforceValue(field, text);
  if (!converted.ok || converted.value === null) return null;
  if (typeof converted.value === 'string') return field.type === 'date' || field.type === 'datetime' ? converted.value : soqlString(converted.value);
  return String(converted.value);
}

/**
 * A Bulk API 2.0 CSV of records: one column per field any record sets. On update and upsert a null empties the field
 * (#N/A); an empty cell leaves it as it is, which is also what a field a record does not set gets.
 */
export function bulkCsv(records: readonly Record<string, SalesforceValue>[], operation: 'insert' | 'update' | 'upsert'): { header: string[]; rows: string[][]; csv: string } {
  const header = [...new Set(records.flatMap((r) => Object.keys(r)))];
  if (operation === 'update') header.sort((a, b) => (a === 'Id' ? -1 : b === 'Id' ? 1 : 0));
  const rows = records.map((record) =>
    header.map((name) => {
      const value = record[name];
      if (value === undefined) return '';
      if (value === null) return operation === 'insert' ? '' : '#N/A';
      return String(value);
    }),
  );
  return { header, rows, csv: Papa.unparse({ fields: header, data: rows }, { quotes: true, newline: '\n' }) };
}

/** A results CSV of Bulk API 2.0 as rows of cells (header first); an empty body is no rows. */
export function parseResultsCsv(text: string): string[][] {
  if (!text.trim()) return [];
  return Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
}

const FIELD_LIST = /^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$/;

/** `sf__Error` of a failed row, "STATUS_CODE:message:Field1,Field2 --", as a write failure. */
export function bulkError(text: string): WriteFailure {
  const body = text.replace(/\s*--\s*$/, '');
  const colon = body.indexOf(':');
  const code = colon > 0 ? body.slice(0, colon) : 'UNKNOWN_EXCEPTION';
  let message = colon > 0 ? body.slice(colon + 1) : body;
  let fields: string[] = [];
  const last = message.lastIndexOf(':');
  if (last >= 0) {
    const tail = message.slice(last + 1).trim();
    if (tail === '' || FIELD_LIST.test(tail)) {
      fields = tail ? tail.split(',') : [];
      message = message.slice(0, last);
    }
  }
  return { ok: false, vendorCode: code, message: message.trim() || code, fields };
}
