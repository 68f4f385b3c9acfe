import type { ColumnMapping } from '../../shared/schema/mapping.ts';

export interface SaveState {
  hasRows: boolean;
  parsing: boolean;
  /** Reading stopped on an error part-way: the rows shown are not the whole file, and saving them would lose the rest. */
  readFailed?: boolean;
  columns: readonly Pick<ColumnMapping, 'column' | 'target'>[];
  identifier: string | null;
  /** An existing audience picked, or a non-blank name for a new one. */
  audienceChosen: boolean;
  consent: boolean;
  /** Label of a field key, for messages. */
  fieldLabel?: (key: string) => string;
}

/**
 * The first thing standing between the user and Save, worded as the next step to take; null when ready.
 * Order follows the page from top to bottom so the reason always points at the nearest unfinished step.
 */
export function saveBlocker(s: SaveState): string | null {
  if (!s.hasRows) return s.parsing ? 'Wait until the first rows are read' : 'Choose a file with at least one data row';
  if (s.parsing) return 'Wait until the whole file is read';
  if (s.readFailed) return 'The file could not be read to the end: fix it and choose it again';
  const mapped = s.columns.filter((c) => c.target);
  if (mapped.length === 0) return 'Map at least one column';
  const byTarget = new Map<string, string>();
  for (const c of mapped) {
    const other = byTarget.get(c.target as string);
    if (other !== undefined) {
      const label = s.fieldLabel?.(c.target as string) ?? c.target;
      return `‘${other}’ and ‘${c.column}’ both map to ${label}: skip one`;
    }
    byTarget.set(c.target as string, c.column);
  }
  if (!s.identifier) return 'Choose a unique identifier column';
  const id = s.columns.find((c) => c.column === s.identifier);
  if (!id?.target) return 'Map the identifier column to a field';
  if (!s.audienceChosen) return 'Pick an audience or name a new one';
  if (!s.consent) return 'Confirm double opt-in';
  return null;
}
