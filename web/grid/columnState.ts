import type { ColumnMapping } from '../../shared/schema/mapping.ts';

/**
 * One source column as the grid shows it. The page owns the list (the grid is controlled) and turns it into an
 * ImportMapping with `column: header`. `suggested` marks a target the app guessed and the user has not confirmed.
 */
export type ColumnState = Omit<ColumnMapping, 'column'> & {
  header: string;
  suggested: boolean;
  /** Why the target was suggested (suggestTargets' reason), shown on hover. */
  reason?: string;
};

/**
 * Maps column `col` to `target` (null: don't import), confirmed. A field feeds one column only, so a column that
 * had it loses it: the user sees the mapping move rather than an error at save time.
 */
export function withTarget(columns: readonly ColumnState[], col: number, target: string | null): ColumnState[] {
  return columns.map((c, i) => {
    if (i === col) return { ...c, target, suggested: false, reason: undefined };
    if (target !== null && c.target === target) return { ...c, target: null, suggested: false };
    return c;
  });
}

export function withSuggestionConfirmed(columns: readonly ColumnState[], col: number): ColumnState[] {
  return columns.map((c, i) => (i === col ? { ...c, suggested: false } : c));
}

export function withSensitive(columns: readonly ColumnState[], col: number, sensitive: boolean): ColumnState[] {
  return columns.map((c, i) => (i === col ? { ...c, sensitive } : c));
}

/** Which column already feeds each field key. */
export function columnsByTarget(columns: readonly ColumnState[]): Map<string, number> {
  const byTarget = new Map<string, number>();
  columns.forEach((c, i) => {
    if (c.target !== null && !byTarget.has(c.target)) byTarget.set(c.target, i);
  });
  return byTarget;
}
