import { type DefaultPick, deriveValue } from '../../../shared/crm/defaultAttributes.ts';
import { uniqueHeaders } from '../../../shared/csv/uniqueHeaders.ts';
import { suggestIdentifier } from '../../../shared/mapping/suggestTargets.ts';
import type { CrmField } from '../../../shared/schema/crm.ts';
import type { ColumnState } from '../../grid/columnState.ts';

/** One grid column of a CRM import: a pulled field, or a value derived from one (the domain of a website). */
export type PulledColumn = { header: string; source: string; derive?: 'domain' };

/**
 * The grid's columns for the selected attributes, in their order: each field under its label (what marketers
 * know it as; repeats get " (2)" like a file's headers), and after a field a default pick derives a value from,
 * that derived column too ("Website (domain)").
 */
export function planColumns(attributes: readonly string[], fields: readonly Pick<CrmField, 'name' | 'label'>[], picks: readonly DefaultPick[]): PulledColumn[] {
  const labelOf = new Map(fields.map((f) => [f.name, f.label.trim() || f.name]));
  const planned: Omit<PulledColumn, 'header'>[] = [];
  const names: string[] = [];
  for (const source of attributes) {
    const label = labelOf.get(source) ?? source;
    planned.push({ source });
    names.push(label);
    for (const pick of picks) {
      if (pick.source !== source || !pick.derive) continue;
      planned.push({ source, derive: pick.derive });
      names.push(`${label} (${pick.derive})`);
    }
  }
  const headers = uniqueHeaders(names);
  return planned.map((p, i) => ({ ...p, header: headers[i] as string }));
}

/** A record as a grid row, cells in column order; a missing value is an empty cell, as in a file. */
export function recordRow(record: Readonly<Record<string, string | null>>, columns: readonly PulledColumn[]): string[] {
  return columns.map((c) => {
    const value = record[c.source] ?? null;
    return (c.derive ? deriveValue(c.derive, value) : value) ?? '';
  });
}

/**
 * First mapping of a CRM import: the default table's pre-mappings win (shown as suggestions to confirm), the
 * name/value suggestions fill in the other columns unless they point at a field a default already feeds, and the
 * identifier is proposed from the result the way a file's is.
 */
export function premapColumns(
  columns: readonly PulledColumn[],
  picks: readonly DefaultPick[],
  suggested: readonly Pick<ColumnState, 'target' | 'suggested' | 'reason'>[],
  defaultReason: string,
): { columns: ColumnState[]; identifier: string | null } {
  const defaults = columns.map((c) => picks.find((p) => p.source === c.source && p.derive === c.derive)?.target ?? null);
  const taken = new Set(defaults.filter((t): t is string => t !== null));
  const states: ColumnState[] = columns.map((c, i) => {
    const target = defaults[i] ?? null;
    if (target !== null) return { header: c.header, target, suggested: true, sensitive: false, reason: defaultReason };
    const s = suggested[i];
    if (s && s.target !== null && !taken.has(s.target)) {
      taken.add(s.target);
      return { header: c.header, target: s.target, suggested: s.suggested, sensitive: false, ...(s.reason ? { reason: s.reason } : {}) };
    }
    return { header: c.header, target: null, suggested: false, sensitive: false };
  });
  const id = suggestIdentifier(
    states.map((s) => s.header),
    states.map((s) => (s.target === null ? null : { target: s.target, confidence: 'high' as const, reason: s.reason ?? '' })),
  );
  return { columns: states, identifier: id === null ? null : (states[id]?.header ?? null) };
}
