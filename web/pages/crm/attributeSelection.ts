import type { CrmField } from '../../../shared/schema/crm.ts';

/** Case- and accent-insensitive, so "telefono" finds "Teléfono". */
const fold = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** A field matches when every word of the search is in its label or its API name. */
export function matchesSearch(field: Pick<CrmField, 'name' | 'label'>, query: string): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = `${fold(field.label)} ${fold(field.name)}`;
  return words.every((w) => text.includes(w));
}

/** Left list of the picker: fields not selected yet, by label. */
export function availableFields(fields: readonly CrmField[], selected: readonly string[], query: string): CrmField[] {
  const taken = new Set(selected);
  return fields.filter((f) => !taken.has(f.name) && matchesSearch(f, query)).sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * Right list: the selection in its order (the grid's column order). A selected name the table no longer has (a
 * saved import whose field was deleted since) is still shown, by its API name, so it can be removed.
 */
export function selectedFields(fields: readonly CrmField[], selected: readonly string[], query: string): Pick<CrmField, 'name' | 'label'>[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return selected.map((name) => byName.get(name) ?? { name, label: name }).filter((f) => matchesSearch(f, query));
}

/** `>`: the chosen fields join the end of the selection, in the order they are listed on the left. */
export function addAttributes(selected: readonly string[], add: readonly string[]): string[] {
  const next = [...selected];
  for (const name of add) if (!next.includes(name)) next.push(name);
  return next;
}

/** `<`: the chosen fields leave the selection; the others keep their order. */
export function removeAttributes(selected: readonly string[], remove: readonly string[]): string[] {
  const gone = new Set(remove);
  return selected.filter((name) => !gone.has(name));
}

/** Attributes of a saved import that the table still has, and the ones it lost (shown as a warning). */
export function splitKnown(attributes: readonly string[], fields: readonly Pick<CrmField, 'name'>[]): { known: string[]; missing: string[] } {
  const names = new Set(fields.map((f) => f.name));
  return { known: attributes.filter((a) => names.has(a)), missing: attributes.filter((a) => !names.has(a)) };
}
