import { SENSITIVE_MASK } from '../fields/sensitiveMask.ts';
import { maskedHint } from './maskedHint.ts';
import { normalizeValue } from '../normalize/normalizeValue.ts';
import type { AllowedValue, FieldType } from '../schema/fields.ts';
import type { PlannedAllowedValues } from '../schema/importPlan.ts';
import { MAX_CELL_LENGTH, type RowErrorCode } from '../schema/imports.ts';
import { allowedValueOf, checkPickListValue, offeredValuesText, pickListProblem } from './pickListValues.ts';

/**
 * The rules a row of an import is judged by, in the order they apply — one definition for the Worker, which
 * enforces them (worker/imports/classifyRows.ts), and the grid, which predicts them (cellProblems.ts,
 * rowProblems.ts). Each rule has its reason code (the API's `RowErrorCode`) and the message a user reads, here:
 *
 * 1. ragged row — the source row has more or fewer fields than the header → rejected (`ragged_row`);
 * 2. values not matching the imported columns → rejected (`wrong_field_count`; only a broken client sends these);
 * 3. every imported value blank → skipped, not an error;
 * 4. empty identifier → rejected (`empty_identifier`);
 * 5. each non-blank mapped cell: over MAX_CELL_LENGTH characters, then the field type's check
 *    (shared/normalize) → rejected with one error per bad cell (`invalid_email`, `invalid_phone`, `invalid_value`);
 *    then, for a field with allowed values (a CRM pick list), a value that is none of them → rejected
 *    (`value_not_allowed`, the message naming the field and its values). A value matches an allowed label with case
 *    aside, or a code exactly, and is stored as the label: the one form every source (CSV, Salesforce, Dataverse)
 *    ends up with, since the CRM connectors hand over labels. A multi-select cell is checked value by value (one
 *    `value_not_allowed` per value) and stored in one form; a retired value is refused with its own words
 *    (pickListValues.ts).
 *
 * A sensitive cell's value never appears in a message or a report: SENSITIVE_MASK stands in for it.
 */
export type CellRuleCode = Extract<RowErrorCode, 'invalid_email' | 'invalid_phone' | 'invalid_value' | 'value_not_allowed'>;

// The mask a sensitive value's errors show, the same as the member listings (one definition, with the fields).
export { SENSITIVE_MASK };

/** A blank cell is absent (bar the identifier): no rule applies to it. */
export const isBlank = (raw: string): boolean => raw.trim() === '';

export function isBlankRow(values: readonly string[]): boolean {
  for (const v of values) if (!isBlank(v)) return false;
  return true;
}

/** Types whose check accepts any text (bar the length limit): the grid need not check them unless they identify. */
const ANY_TEXT: ReadonlySet<FieldType> = new Set(['first_name', 'last_name', 'text', 'country']);
export const acceptsAnyText = (type: FieldType): boolean => ANY_TEXT.has(type);

const TYPE_NOUN: Record<FieldType, string> = {
  email: 'email address',
  phone: 'phone number',
  first_name: 'first name',
  last_name: 'last name',
  text: 'text',
  country: 'country',
  url: 'web address',
  number: 'number',
  date: 'date',
};

/** shared/normalize words its reasons as fragments ("\"x\" is not a date"); a user reads sentences. */
function sentence(fragment: string): string {
  const text = fragment.charAt(0).toUpperCase() + fragment.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * `problems`: one per value when a cell holds several that cannot be stored (a multi-select pick list), each reported
 * apart; `message` then says them all, for a caller that shows one message a cell (the grid).
 */
export type CellVerdict = { ok: true; value: string } | { ok: false; code: CellRuleCode; message: string; problems?: { code: CellRuleCode; message: string }[] };

export type CellContext = { type: FieldType; sensitive: boolean; defaultCountry: string; allowed?: PlannedAllowedValues | undefined };

/**
 * Rule 5 for one non-blank cell: the length limit, the field type's check, then the allowed values. Valid: the
 * normalized value (an allowed value's label). Invalid: the code and the message, which quotes the value only when
 * the column is not sensitive.
 */
export function checkCell(raw: string, { type, sensitive, defaultCountry, allowed }: CellContext): CellVerdict {
  if (!withinLengthLimit(raw)) return { ok: false, code: 'invalid_value', message: tooLongMessage(raw.length) };
  const normalized = normalizeValue(type, raw, defaultCountry);
  if (normalized.ok) {
    if (!allowed) return normalized;
    const picked = checkPickListValue(normalized.value, allowed, sensitive, LISTED_VALUES);
    if (picked.ok) return picked;
    const problems = picked.problems.map((p) => ({ code: 'value_not_allowed' as const, message: p.message }));
    return { ok: false, code: 'value_not_allowed', message: problems.map((p) => p.message).join(' '), ...(problems.length > 1 ? { problems } : {}) };
  }
  // normalizeValue quotes the offending value in its reason: a sensitive one gets the type's plain statement, with
  // a hint of what is wrong that gives nothing of the value away (e.g. "missing @"), so the user can still fix it.
  const message = sensitive ? invalidSensitiveMessage(type, maskedHint(type, raw)) : sentence(normalized.reason);
  return { ok: false, code: normalized.code, message };
}

/** The message of an invalid sensitive value: the type's plain statement and the masked hint, never the value. */
export const invalidSensitiveMessage = (type: FieldType, hint: string | null): string => `Not a valid ${TYPE_NOUN[type]}${hint ? ` (${hint})` : ''}.`;

/**
 * The allowed value a (normalized) value stands for, as its label: the label itself with case aside ("hot" →
 * "Hot"), or the CRM's code ("100000001" → "Silver"); null when it is none of them.
 */
export function allowedLabel(value: string, values: readonly AllowedValue[]): string | null {
  return allowedValueOf(value, values)?.label ?? null;
}

// A pick list can hold hundreds of values; a message lists enough to recognise the list.
export const LISTED_VALUES = 12;

/** "Hot, Warm, Cold" or "A, B, … and 40 more": how allowed values are listed to a user (retired ones left out). */
export function allowedValuesText(values: readonly AllowedValue[], listed = LISTED_VALUES): string {
  return offeredValuesText(values, listed);
}

/** `value` null: the column is sensitive, its value is never quoted. */
export const notAllowedMessage = (value: string | null, allowed: PlannedAllowedValues): string => pickListProblem(value, allowed, false, LISTED_VALUES);

/** What an error report may show of a cell: the value, or the mask for a sensitive column. */
export function shownValue(raw: string, sensitive: boolean): string {
  if (sensitive) return SENSITIVE_MASK;
  // A report need not carry 10,000 characters to show which cell it was.
  return withinLengthLimit(raw) ? raw : `${raw.slice(0, 40)}…`;
}

/** The length half of rule 5, for callers that can skip the type check (a type that accepts any text). */
export const withinLengthLimit = (raw: string): boolean => raw.length <= MAX_CELL_LENGTH;

export const tooLongMessage = (length: number): string => `The value is ${length} characters long; a cell may hold at most ${MAX_CELL_LENGTH}.`;

export const raggedRowMessage = (fieldCount: number, headerCount: number): string =>
  `This row has ${fieldCount} ${fieldCount === 1 ? 'field' : 'fields'} but the header has ${headerCount}.`;

export const wrongFieldCountMessage = (valueCount: number, columnCount: number): string =>
  `This row carries ${valueCount} ${valueCount === 1 ? 'value' : 'values'} but ${columnCount} ${columnCount === 1 ? 'column is' : 'columns are'} imported.`;

export const emptyIdentifierMessage = (column: string): string => `The identifier column "${column}" is empty.`;

/** Not a rule that rejects: the Worker merges the rows into one member. The grid warns before saving. */
export const duplicateIdentifierMessage = (firstRowNumber: number): string =>
  `Same identifier as row ${firstRowNumber}: the rows will be merged into one member.`;

/** What the grid adds to a rule's message: the rule is enforced when the rows are saved. */
export const predictedRejection = (message: string): string => `${message} The row will be rejected.`;
