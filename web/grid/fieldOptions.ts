import type { Field } from '../../shared/schema/fields.ts';

export type FieldOption =
  | { kind: 'skip' }
  | { kind: 'field'; field: Field; /** Header of the column that already feeds this field. */ usedBy: string | null }
  | { kind: 'create'; label: string };

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();
}

/**
 * The "Map to" list for one column, filtered by what the user typed: "Don't import" first, then fields whose label
 * or key contains the query (label prefix matches first), then "Create field “query”" unless a field already has
 * that exact label.
 */
export function fieldOptions(fields: readonly Field[], query: string, usedBy: (key: string) => string | null): FieldOption[] {
  const q = fold(query);
  const matches = fields
    .map((field) => {
      const label = fold(field.label);
      const rank = q === '' ? 1 : label.startsWith(q) ? 0 : label.includes(q) || field.key.includes(q.replace(/\s+/g, '_')) ? 1 : -1;
      return { field, rank };
    })
    .filter((m) => m.rank >= 0)
    .sort((a, b) => a.rank - b.rank);
  const options: FieldOption[] = [];
  if (q === '' || fold("Don't import skip").includes(q)) options.push({ kind: 'skip' });
  for (const { field } of matches) options.push({ kind: 'field', field, usedBy: usedBy(field.key) });
  const label = query.trim().replace(/\s+/g, ' ');
  if (label !== '' && !fields.some((f) => fold(f.label) === q)) options.push({ kind: 'create', label });
  return options;
}
