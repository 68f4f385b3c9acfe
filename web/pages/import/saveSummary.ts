import { normalizationNote } from '../../../shared/normalize/normalizeValue.ts';
import type { FieldType } from '../../../shared/schema/fields.ts';
import type { OnMatch } from '../../../shared/schema/mapping.ts';

export interface SummaryColumn {
  header: string;
  target: string | null;
  suggested: boolean;
  sensitive: boolean;
}

export interface SummaryField {
  label: string;
  type: FieldType;
}

/**
 * Everything Save would do to the user's data that the grid does not already show as-is: nothing is dropped,
 * rewritten or decided by the app unseen.
 */
export interface SaveSummary {
  /** Columns left out of the import (skipped or never mapped), by header. */
  notImported: string[];
  /** Columns whose values are rewritten on the way in, and how. */
  normalized: { header: string; field: string; type: FieldType; how: string }[];
  /** Targets the app suggested and the user has not confirmed: Save would store them as if chosen. */
  unconfirmed: { column: number; header: string; field: string }[];
  /** Rows with any problem (warnings included) and those the Worker will reject. */
  problemRows: number;
  rejectedRows: number;
}

export function saveSummary(input: {
  columns: readonly SummaryColumn[];
  fieldOf: (key: string) => SummaryField | null;
  problems: { problemRows: number; rejectedRows: number } | null;
}): SaveSummary {
  const notImported: string[] = [];
  const normalized: SaveSummary['normalized'] = [];
  const unconfirmed: SaveSummary['unconfirmed'] = [];
  input.columns.forEach((c, column) => {
    if (c.target === null) {
      notImported.push(c.header);
      return;
    }
    const field = input.fieldOf(c.target);
    const label = field?.label ?? c.target;
    if (c.suggested) unconfirmed.push({ column, header: c.header, field: label });
    const how = field ? normalizationNote(field.type) : null;
    if (field && how) normalized.push({ header: c.header, field: label, type: field.type, how });
  });
  return {
    notImported,
    normalized,
    unconfirmed,
    problemRows: input.problems?.problemRows ?? 0,
    rejectedRows: input.problems?.rejectedRows ?? 0,
  };
}

const ON_MATCH_WORDS: Record<OnMatch, string> = {
  update: 'update the existing member',
  reject: 'reject the new row',
};

export const onMatchWords = (onMatch: OnMatch): string => ON_MATCH_WORDS[onMatch];

/** The mapping a template replaces or is replaced by: what the user sees before and after applying it. */
export interface MappingSettings {
  columns: readonly { header: string; target: string | null; sensitive: boolean }[];
  identifier: string | null;
  onMatch: OnMatch;
}

/**
 * Every setting a template changed, one sentence each, so applying it again never flips an option unseen
 * ("When a contact exists: update the existing member → reject the new row"). Columns are matched by position: the template
 * is laid over the same file.
 */
export function templateChanges(before: MappingSettings, after: MappingSettings, fieldLabel: (key: string) => string): string[] {
  const target = (t: string | null) => (t === null ? 'not imported' : fieldLabel(t));
  const changes: string[] = [];
  after.columns.forEach((c, i) => {
    const old = before.columns[i];
    if (!old) return;
    if (old.target !== c.target) changes.push(`“${c.header}”: ${target(old.target)} → ${target(c.target)}`);
    if (c.target !== null && old.sensitive !== c.sensitive) {
      changes.push(`“${c.header}”: ${c.sensitive ? 'marked sensitive' : 'no longer sensitive'}`);
    }
  });
  if (before.identifier !== after.identifier) {
    const name = (h: string | null) => (h === null ? 'none' : `“${h}”`);
    changes.push(`Identifier: ${name(before.identifier)} → ${name(after.identifier)}`);
  }
  if (before.onMatch !== after.onMatch) changes.push(`When a contact exists: ${onMatchWords(before.onMatch)} → ${onMatchWords(after.onMatch)}`);
  return changes;
}
