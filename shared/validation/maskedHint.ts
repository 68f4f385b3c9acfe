import type { FieldType } from '../schema/fields.ts';

/**
 * What is wrong with an invalid sensitive value, said without giving any of it away ("missing @", "9 digits"),
 * so a masked value still tells the user where to look. Only the value's shape is described: counts and the
 * absence or excess of separators, never a character of its content. Null when the shape says nothing useful.
 */
export function maskedHint(type: FieldType, raw: string): string | null {
  const value = raw.trim();
  if (value === '') return null;
  if (type === 'email') {
    const ats = value.split('@').length - 1;
    if (ats === 0) return 'missing @';
    if (ats > 1) return `${ats} @ signs`;
    const [local = '', domain = ''] = value.split('@');
    if (/\s/.test(value)) return 'contains a space';
    if (local === '') return 'nothing before @';
    if (domain === '') return 'nothing after @';
    if (!domain.includes('.')) return 'no dot after @';
    if (domain.endsWith('.') || domain.startsWith('.') || domain.includes('..')) return 'misplaced dot after @';
    return null;
  }
  if (type === 'phone') {
    if (/\p{L}/u.test(value)) return 'contains letters';
    const digits = value.replace(/\D/g, '').length;
    return `${digits} digit${digits === 1 ? '' : 's'}`;
  }
  return null;
}
