import type { ImportCounts, RowError } from '../../shared/schema/imports.ts';
import type { OnMatch } from '../../shared/schema/mapping.ts';
import type { AcceptedRow, PositionedError, SealedValue } from './classifyRows.ts';

/** One identifier's rows of a batch merged in order: later non-empty values win. */
export type MergedMember = {
  key: string;
  attributes: Record<string, string>;
  sensitive: Record<string, string>;
  /** Privacy mode: the tab's sealed values by field (see AcceptedRow); a later row's replace an earlier's field by field. */
  sealedCells?: Record<string, SealedValue>;
};

export type ResolvedBatch = {
  inserts: MergedMember[];
  /** Members that exist already (from an earlier import, or from earlier rows of this one): merged into. */
  merges: MergedMember[];
  counts: Omit<ImportCounts, 'received' | 'skipped'>;
  errors: PositionedError[];
};

/**
 * Decides each accepted row against the audience: `writers` maps identifiers that already have a member to the
 * imports that wrote them (created it, wrote it before the last writer, last wrote it). A repeat of an identifier
 * this import already wrote (this batch or an earlier one, even if another import wrote it in between) is a
 * duplicate, merged; a member from another import is updated or the row rejected per `onMatch`; anything else is
 * new. Pure.
 */
export function resolveMatches(
  accepted: readonly AcceptedRow[],
  writers: ReadonlyMap<string, readonly (string | null)[]>,
  importId: string,
  onMatch: OnMatch,
  identifierColumn: string,
): ResolvedBatch {
  // A key's one row as it is, an array only when the key repeats: most keys appear once in a batch.
  const groups = new Map<string, AcceptedRow | AcceptedRow[]>();
  for (const row of accepted) {
    const group = groups.get(row.key);
    if (group === undefined) groups.set(row.key, row);
    else if (Array.isArray(group)) group.push(row);
    else groups.set(row.key, [group, row]);
  }
  const inserts: MergedMember[] = [];
  const merges: MergedMember[] = [];
  const errors: PositionedError[] = [];
  const counts = { inserted: 0, updated: 0, duplicates: 0, rejected: 0 };

  for (const [key, group] of groups) {
    const rowCount = Array.isArray(group) ? group.length : 1;
    const writersOfKey = writers.get(key);
    const exists = writersOfKey !== undefined;
    const ours = writersOfKey?.includes(importId) === true;
    if (exists && !ours && onMatch === 'reject') {
      counts.rejected += rowCount;
      for (const r of Array.isArray(group) ? group : [group]) {
        const error: RowError = {
          row: r.row,
          ...(r.line === undefined ? {} : { line: r.line }),
          column: identifierColumn,
          code: 'identifier_exists',
          message: 'a member with this identifier is already in the audience, and this import rejects matches',
          value: r.identifierShown,
        };
        errors.push({ index: r.index, error });
      }
      continue;
    }
    // A key's only row: its values are the member's, no copy needed.
    const merged: MergedMember = !Array.isArray(group)
      ? group.sealedCells
        ? { key, attributes: group.attributes, sensitive: group.sensitive, sealedCells: group.sealedCells }
        : { key, attributes: group.attributes, sensitive: group.sensitive }
      : {
          key,
          attributes: Object.assign({}, ...group.map((r) => r.attributes)),
          sensitive: Object.assign({}, ...group.map((r) => r.sensitive)),
          ...(group.some((r) => r.sealedCells) ? { sealedCells: Object.assign({}, ...group.map((r) => r.sealedCells ?? {})) } : {}),
        };
    if (!exists) {
      counts.inserted++;
      counts.duplicates += rowCount - 1;
      inserts.push(merged);
    } else if (ours) {
      counts.duplicates += rowCount;
      merges.push(merged);
    } else {
      counts.updated++;
      counts.duplicates += rowCount - 1;
      merges.push(merged);
    }
  }
  return { inserts, merges, counts, errors };
}
