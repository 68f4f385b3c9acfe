import type { ChangeValue } from '../schema/history.ts';

/**
 * before → after as sentences people read in a change history, one per field that changed:
 *   "attributes: added Phone, removed Fax", "cycle: hourly → daily", "mapping.onMatch: update → reject".
 * Lists of plain values say what was added and removed (order does not matter to a set of attributes); lists of
 * objects (filters, mapping columns) say it per item, each item in words (`Email → email (sensitive)`,
 * `Country equals DE`). A whole subject created or removed lists what it was made with.
 */
export function describeChanges(before: ChangeValue | null, after: ChangeValue | null): string[] {
  if (before === null && after === null) return [];
  if (before === null) return describeValue(after);
  if (after === null) return describeValue(before).map((line) => `was ${line}`);
  return diffAt('', before, after);
}

type Obj = { [key: string]: ChangeValue };
const isObject = (v: ChangeValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: ChangeValue | undefined): v is string | number | boolean | null => v === null || typeof v !== 'object';

/** One value in words, short: what a history line shows for a setting. */
export function valueText(v: ChangeValue | undefined): string {
  if (v === undefined || v === null || v === '') return '(none)';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map(valueText).join(', ');
  return itemText(v);
}

/** An object inside a list, in words: a mapping column, a filter, or whatever names it. */
function itemText(o: Obj): string {
  if (typeof o.column === 'string' && 'target' in o) {
    const target = typeof o.target === 'string' ? o.target : 'not imported';
    return `${o.column} → ${target}${o.sensitive === true ? ' (sensitive)' : ''}`;
  }
  if (typeof o.field === 'string' && typeof o.operator === 'string') {
    const value = typeof o.value === 'string' && o.value !== '' ? ` ${o.value}` : '';
    return `${o.field} ${o.operator.replaceAll('_', ' ')}${value}`;
  }
  for (const key of ['label', 'name', 'id']) {
    const named = o[key];
    if (typeof named === 'string') return named;
  }
  return Object.entries(o)
    .filter(([, v]) => isScalar(v))
    .map(([k, v]) => `${k} ${valueText(v)}`)
    .join(', ');
}

function describeValue(v: ChangeValue | null): string[] {
  if (!isObject(v)) return [valueText(v)];
  return Object.entries(v).flatMap(([key, inner]) => (isObject(inner) ? describeValue(inner).map((l) => `${key}.${l}`) : [`${key}: ${valueText(inner)}`]));
}

const same = (a: ChangeValue | undefined, b: ChangeValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

function diffAt(path: string, before: ChangeValue | undefined, after: ChangeValue | undefined): string[] {
  if (same(before, after)) return [];
  const label = path === '' ? 'value' : path;
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffAt(path === '' ? k : `${path}.${k}`, before[k], after[k]));
  }
  if (Array.isArray(before) && Array.isArray(after)) return [`${label}: ${listChange(before, after)}`];
  return [`${label}: ${valueText(before)} → ${valueText(after)}`];
}

/** "added Phone, removed Fax"; items compared whole, so a column whose target changed is one removed and one added. */
function listChange(before: ChangeValue[], after: ChangeValue[]): string {
  const key = (v: ChangeValue) => JSON.stringify(v);
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  const added = after.filter((v) => !beforeKeys.has(key(v))).map(valueText);
  const removed = before.filter((v) => !afterKeys.has(key(v))).map(valueText);
  const parts = [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : 'reordered';
}
