import type { CrmField, CrmFilter } from '../../../shared/schema/crm.ts';
import { valueInputFor } from './filterOperators.ts';

/** The separators a locale writes numbers with, as Intl formats them ("1.234,5" in German, "1,234.5" in English). */
export function numberSymbols(locale: string): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  return { group: parts.find((p) => p.type === 'group')?.value ?? ',', decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
}

/** Spaces a locale may group digits with (French uses a narrow no-break space) and ones a user types instead. */
const SPACES = /[\s\u00a0\u202f]/g;

/**
 * A number as the user wrote it in their locale, as the CRM reads it ("1,5" in German → "1.5"). Group separators
 * count only in groups of three, so "1.5" typed in German is not silently read as 15: it is refused with a hint.
 */
export function parseLocaleNumber(text: string, locale: string): { ok: true; value: string } | { ok: false; reason: string } {
  const { group, decimal } = numberSymbols(locale);
  const trimmed = text.trim();
  const spaced = /^[\s\u00a0\u202f]$/.test(group);
  const compact = spaced ? trimmed.replace(SPACES, ' ') : trimmed;
  const g = spaced ? ' ' : group;
  const sign = compact.startsWith('-') || compact.startsWith('\u2212') ? '-' : '';
  const body = sign ? compact.slice(1) : compact;
  const [whole = '', fraction, extra] = body.split(decimal);
  const wholeOk = new RegExp(`^(\\d+|\\d{1,3}(${escape(g)}\\d{3})+)$`).test(whole);
  if (extra === undefined && wholeOk && (fraction === undefined || /^\d+$/.test(fraction))) {
    const digits = whole.split(g).join('');
    return { ok: true, value: `${sign}${digits}${fraction === undefined ? '' : `.${fraction}`}` };
  }
  const example = `1${decimal}5`;
  return { ok: false, reason: `“${trimmed}” is not a number; write decimals with “${decimal}”, e.g. ${example}` };
}

/** A number the CRM gave back (a saved filter's "1.5") as the user writes it ("1,5" in German), without grouping. */
export function formatLocaleNumber(value: string, locale: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(value)) return value;
  const { decimal } = numberSymbols(locale);
  return value.replace('.', decimal);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A filter row as the user left it (the time zone is added when it is sent); `key` tells rows apart while edited. */
export type FilterDraft = Omit<CrmFilter, 'timeZone'> & { key: number };

/**
 * What a filter row needs before it can be sent, checked here rather than by the CRM: a field the table still has,
 * a value when the comparison needs one, and a number that reads as one. `ready` is the filter as the CRM gets it.
 */
export type FilterCheck =
  | { state: 'ready'; filter: CrmFilter }
  | { state: 'incomplete' }
  | { state: 'unknown_field'; message: string }
  | { state: 'invalid'; message: string };

export function checkFilter(draft: CrmFilter, fields: readonly CrmField[], crm: string, locale: string, timeZone?: string): FilterCheck {
  if (draft.field === '') return { state: 'incomplete' };
  const field = fields.find((f) => f.name === draft.field);
  if (!field) return { state: 'unknown_field', message: `${crm} no longer has the field ${draft.field}: choose another field or remove this filter.` };
  if (!field.filterable) return { state: 'unknown_field', message: `${crm} cannot filter on ${field.label}: choose another field or remove this filter.` };
  const input = valueInputFor(field, draft.operator);
  if (input.kind === 'none') return { state: 'ready', filter: { field: draft.field, operator: draft.operator, value: '' } };
  const value = draft.value.trim();
  if (value === '') return { state: 'incomplete' };
  if (input.kind === 'number') {
    const number = parseLocaleNumber(value, locale);
    if (!number.ok) return { state: 'invalid', message: `${field.label}: ${number.reason}.` };
    return { state: 'ready', filter: { field: draft.field, operator: draft.operator, value: number.value } };
  }
  // A day is the user's whole day: the Worker turns it into that day's start and end in their time zone.
  if (input.kind === 'date' && timeZone) return { state: 'ready', filter: { field: draft.field, operator: draft.operator, value, timeZone } };
  return { state: 'ready', filter: { field: draft.field, operator: draft.operator, value } };
}

/** A saved filter back into the row the user edits: numbers in their own way of writing them. */
export function draftValue(filter: CrmFilter, fields: readonly CrmField[], locale: string): string {
  const field = fields.find((f) => f.name === filter.field);
  return field && valueInputFor(field, filter.operator).kind === 'number' ? formatLocaleNumber(filter.value, locale) : filter.value;
}
