import type { AllowedValue } from '../schema/fields.ts';
import type { PlannedAllowedValues } from '../schema/importPlan.ts';

/**
 * Pick list values in cells: one definition of how a value is matched, how a multi-select cell is read and the one
 * form it is stored in, and what a retired value means. Pure; checkCell (importRules.ts) applies it.
 *
 * - A value matches an allowed label with case aside, or a code exactly, and stands for that value's label.
 * - A multi-select cell holds several values separated by ";" (Salesforce sends "A;B", Dataverse's formatted value
 *   "A; B", a CSV either). A part that matches nothing but holds commas whose every piece is a code is read as codes
 *   (a Dataverse record without formatted values: "1,2"); labels may contain commas, so commas split nothing else.
 *   Blank parts and repeats count once. STORED FORM: the labels in the pick list's own order, joined with "; " —
 *   the same set is always the same text, whatever order or separator the source used.
 * - A retired value (the CRM no longer offers it: a Salesforce value made inactive, a Dataverse option removed) is
 *   kept in the field's allowed values, flagged, so a member holding it keeps it and shows it as retired; an import
 *   carrying it is reported, as for any value not allowed, with a message saying it was retired.
 */

export const MULTI_VALUE_SEPARATOR = '; ';

// Built once per list (a column's cells share it): a million-row column must not scan the list per cell.
const lookups = new WeakMap<readonly AllowedValue[], Map<string, AllowedValue>>();

function lookupOf(values: readonly AllowedValue[]): Map<string, AllowedValue> {
  let lookup = lookups.get(values);
  if (!lookup) {
    lookup = new Map();
    // Codes first, so a label that happens to equal another value's code still means its own value.
    for (const v of values) lookup.set(`code:${v.code}`, v);
    for (const v of values) lookup.set(`label:${v.label.toLowerCase()}`, v);
    lookups.set(values, lookup);
  }
  return lookup;
}

/** The allowed value a (normalized) value stands for: its label with case aside, or its code; null when none. */
export function allowedValueOf(value: string, values: readonly AllowedValue[]): AllowedValue | null {
  const lookup = lookupOf(values);
  return lookup.get(`label:${value.toLowerCase()}`) ?? lookup.get(`code:${value}`) ?? null;
}

/** The values people may pick now: retired ones are kept for the members holding them, never offered. */
export const offeredValues = (values: readonly AllowedValue[]): AllowedValue[] => values.filter((v) => !v.retired);

/** One value of a cell that cannot be stored, and why: not a value of the list, or retired from it. */
export type PickListProblem = { value: string; retired: boolean; message: string };

export type PickListVerdict = { ok: true; value: string } | { ok: false; problems: PickListProblem[] };

const quoted = (value: string | null) => (value === null ? 'This value' : `"${value}"`);

/** "A, B, C" or "A, B, … and 40 more": the values a user may pick, in messages and pickers. */
export function offeredValuesText(values: readonly AllowedValue[], listed: number): string {
  const shown = offeredValues(values);
  const names = shown.slice(0, listed).map((v) => v.label);
  const more = shown.length - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}

/** `value` null: the column is sensitive, its value is never quoted. */
export function pickListProblem(value: string | null, allowed: PlannedAllowedValues, retired: boolean, listed: number): string {
  const offered = offeredValuesText(allowed.values, listed);
  return retired
    ? `${quoted(value)} was retired from ${allowed.fieldLabel} in the CRM and can no longer be stored; its values are: ${offered}.`
    : `${quoted(value)} is not one of the allowed values of ${allowed.fieldLabel}: ${offered}.`;
}

/** The parts of a multi-select cell, each trimmed, blanks left out (not yet matched). */
export function multiValueParts(raw: string): string[] {
  return raw
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * A normalized cell against a field's allowed values: the label (single choice) or the stored form (multi-select),
 * or every value that cannot be stored, each with its message.
 */
export function checkPickListValue(value: string, allowed: PlannedAllowedValues, sensitive: boolean, listed: number): PickListVerdict {
  const problem = (v: string, retired: boolean): PickListProblem => ({ value: v, retired, message: pickListProblem(sensitive ? null : v, allowed, retired, listed) });
  if (!allowed.multiple) {
    const found = allowedValueOf(value, allowed.values);
    if (found && !found.retired) return { ok: true, value: found.label };
    return { ok: false, problems: [problem(value, found !== null)] };
  }
  const chosen = new Set<AllowedValue>();
  const problems: PickListProblem[] = [];
  for (const part of multiValueParts(value)) {
    const found = allowedValueOf(part, allowed.values);
    const pieces = found ? [found] : codesOf(part, allowed.values);
    if (pieces.length === 0) {
      problems.push(problem(part, false));
      continue;
    }
    for (const piece of pieces) {
      if (piece.retired) problems.push(problem(piece.label, true));
      else chosen.add(piece);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: allowed.values.filter((v) => chosen.has(v)).map((v) => v.label).join(MULTI_VALUE_SEPARATOR) };
}

/** "1,2" when every comma-separated piece is a code of the list; else nothing. */
function codesOf(part: string, values: readonly AllowedValue[]): AllowedValue[] {
  if (!part.includes(',')) return [];
  const lookup = lookupOf(values);
  const found: AllowedValue[] = [];
  for (const piece of part.split(',')) {
    const v = lookup.get(`code:${piece.trim()}`);
    if (!v) return [];
    found.push(v);
  }
  return found;
}
