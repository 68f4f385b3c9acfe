import type { BatchRow, RowError } from '../../shared/schema/imports.ts';
import {
  checkCell,
  emptyIdentifierMessage,
  isBlank,
  isBlankRow,
  raggedRowMessage,
  SENSITIVE_MASK,
  shownValue,
  wrongFieldCountMessage,
} from '../../shared/validation/importRules.ts';
import { identifierKey, type SensitiveKeyOf } from './identifierKey.ts';
import type { ImportPlan, PlannedColumn } from './importPlan.ts';

/** A valid row: normalized values by field key, sensitive ones apart (they are hashed and sealed, never stored plain). */
export type AcceptedRow = {
  /** Position in the batch, so errors found later (identifier_exists) are reported in source order. */
  index: number;
  row: number;
  line?: number;
  /** Dedupe key: the normalized identifier, or its keyed hash (sensitiveKey) when the identifier column is sensitive. */
  key: string;
  /** What a report may show of the identifier: the normalized value, or the mask. */
  identifierShown: string;
  attributes: Record<string, string>;
  sensitive: Record<string, string>;
};

export type PositionedError = { index: number; error: RowError };

export type ClassifiedRows = { accepted: AcceptedRow[]; errors: PositionedError[]; rejected: number; skipped: number };

/**
 * Enforces the import rules (shared/validation/importRules.ts, which states their order, codes and messages — the
 * grid predicts with the same ones): ragged → rejected; values not matching the mapping → rejected; all blank →
 * skipped; empty identifier → rejected; any mapped value invalid or not among its field's allowed values → rejected (one error per bad column); otherwise
 * normalized. Pure: same rows and plan, same answer.
 */
export function classifyRows(
  rows: readonly BatchRow[],
  plan: ImportPlan,
  sensitiveKeyOf: SensitiveKeyOf,
): ClassifiedRows {
  const accepted: AcceptedRow[] = [];
  const errors: PositionedError[] = [];
  let rejected = 0;
  let skipped = 0;
  const { columns, identifierIndex, defaultCountry, headerCount } = plan;
  const identifierColumn = columns[identifierIndex];
  if (!identifierColumn) throw new Error('import plan has no identifier column');

  // Plain loops, no closures per row or cell: this runs for every row of every batch.
  const columnCount = columns.length;
  const reject = (index: number, r: BatchRow, column: string | null, code: RowError['code'], message: string, value: string | null) =>
    errors.push({ index, error: r.line === undefined ? { row: r.row, column, code, message, value } : { row: r.row, line: r.line, column, code, message, value } });
  for (let index = 0; index < rows.length; index++) {
    const r = rows[index] as BatchRow;
    const { values } = r;

    if (r.fieldCount !== undefined && r.fieldCount !== headerCount) {
      rejected++;
      reject(index, r, null, 'ragged_row', raggedRowMessage(r.fieldCount, headerCount), null);
      continue;
    }
    if (values.length !== columnCount) {
      rejected++;
      reject(index, r, null, 'wrong_field_count', wrongFieldCountMessage(values.length, columnCount), null);
      continue;
    }
    if (isBlankRow(values)) {
      skipped++;
      continue;
    }
    const identifierRaw = values[identifierIndex] ?? '';
    if (isBlank(identifierRaw)) {
      rejected++;
      reject(index, r, identifierColumn.column, 'empty_identifier', emptyIdentifierMessage(identifierColumn.column), null);
      continue;
    }

    const attributes: Record<string, string> = {};
    const sensitive: Record<string, string> = {};
    let valid = true;
    for (let i = 0; i < columnCount; i++) {
      const column = columns[i] as PlannedColumn;
      const raw = values[i] ?? '';
      if (isBlank(raw)) continue;
      const verdict = checkCell(raw, { type: column.type, sensitive: column.sensitive, defaultCountry, allowed: column.allowed });
      if (!verdict.ok) {
        valid = false;
        // A multi-select cell with several values not allowed: one error per value, each naming its value.
        for (const p of verdict.problems ?? [verdict]) reject(index, r, column.column, p.code, p.message, shownValue(raw, column.sensitive));
        continue;
      }
      (column.sensitive ? sensitive : attributes)[column.target] = verdict.value;
    }
    if (!valid) {
      rejected++;
      continue;
    }

    const identifierValue = (identifierColumn.sensitive ? sensitive : attributes)[identifierColumn.target] ?? '';
    accepted.push({
      index,
      row: r.row,
      ...(r.line === undefined ? {} : { line: r.line }),
      key: identifierKey(identifierColumn, identifierValue, sensitiveKeyOf),
      identifierShown: identifierColumn.sensitive ? SENSITIVE_MASK : identifierValue,
      attributes,
      sensitive,
    });
  }
  return { accepted, errors, rejected, skipped };
}
