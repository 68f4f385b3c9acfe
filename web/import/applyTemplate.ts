import type { ImportMapping } from '../../shared/schema/mapping.ts';

/** Same normalization as headerSignature(): a template saved for "E-mail " applies to a file headed "e-mail". */
const headerKey = (h: string) => h.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');

export interface ColumnDecision {
  header: string;
  target: string | null;
  sensitive: boolean;
}

/**
 * A saved mapping laid over this file's columns: matched by normalized header name, since files with the same
 * signature may order or spell (case, spacing) their headers differently. Columns the template does not name keep
 * the decision they had; template targets that are no longer fields of the workspace are left out.
 */
export function applyTemplate<C extends ColumnDecision>(
  columns: readonly C[],
  mapping: Pick<ImportMapping, 'columns' | 'identifier'>,
  knownField: (key: string) => boolean,
): { columns: C[]; identifier: string | null } {
  const saved = new Map(mapping.columns.map((c) => [headerKey(c.column), c]));
  const next = columns.map((c) => {
    const s = saved.get(headerKey(c.header));
    if (!s) return c;
    const target = s.target !== null && knownField(s.target) ? s.target : null;
    return { ...c, target, sensitive: target !== null && s.sensitive };
  });
  const id = next.find((c) => headerKey(c.header) === headerKey(mapping.identifier));
  return { columns: next, identifier: id && id.target !== null ? id.header : null };
}
