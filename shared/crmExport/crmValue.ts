import type { CrmField } from '../schema/crm.ts';

const INTEGER_TYPES = new Set(['int', 'integer', 'bigint']);
const NUMBER_TYPES = new Set(['double', 'decimal', 'money', 'currency', 'percent']);
const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no']);
const MULTI_CHOICE_TYPES = new Set(['multipicklist', 'multiselectpicklist']);

function isDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function isDateTime(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && isDay(text.slice(0, 10)) && !Number.isNaN(Date.parse(text));
}

/**
 * Why `text` cannot be written to `field` as a typed value (a fixed value, a default, an engagement value), or null
 * when it can. Choices are given by their label, as the page shows them and as pushes send them; several choices of
 * a multi-select are separated by ";" (Salesforce's own separator).
 */
export function crmValueProblem(field: CrmField, text: string): string | null {
  if (text.trim() === '') return 'give it a value.';
  if (field.options) {
    const labels = field.options.map((o) => o.label);
    const given = MULTI_CHOICE_TYPES.has(field.type) ? text.split(';').map((s) => s.trim()) : [text];
    const unknown = given.find((g) => !labels.includes(g));
    if (unknown !== undefined) {
      const close = labels.find((l) => l.toLowerCase() === unknown.toLowerCase());
      const shown = labels.slice(0, 12).join(', ') + (labels.length > 12 ? ', …' : '');
      return close ? `“${unknown}” is not one of its choices; did you mean “${close}”?` : `“${unknown}” is not one of its choices (${shown}).`;
    }
    return null;
  }
  if (field.type === 'boolean') return BOOLEAN_WORDS.has(text.trim().toLowerCase()) ? null : 'use Yes or No.';
  if (INTEGER_TYPES.has(field.type)) return /^-?\d+$/.test(text.trim()) ? null : `“${text}” is not a whole number.`;
  if (NUMBER_TYPES.has(field.type)) return /^-?\d+(\.\d+)?$/.test(text.trim()) ? null : `“${text}” is not a number (write it like 1234.5).`;
  if (field.type === 'date') return isDay(text.trim()) ? null : `“${text}” is not a date (write it like 2026-01-31).`;
  if (field.type === 'datetime') {
    return isDay(text.trim()) || isDateTime(text.trim()) ? null : `“${text}” is not a date (write it like 2026-01-31 or 2026-01-31T09:00:00Z).`;
  }
  if (field.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text.trim())) return `“${text}” is not an email address.`;
  if (field.maxLength != null && field.maxLength > 0 && text.length > field.maxLength) {
    return `at most ${field.maxLength} characters (this value has ${text.length}).`;
  }
  return null;
}
