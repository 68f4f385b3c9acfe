import { hashInput, normalizeValue } from '../../shared/normalize/normalizeValue.ts';
import { MAX_CELL_LENGTH, type BatchRow, type RowError } from '../../shared/schema/imports.ts';
import { sha256Hex } from '../crypto/sha256Hex.ts';
import { SENSITIVE_MASK } from './sensitiveMask.ts';
import type { ImportPlan, PlannedColumn } from './importPlan.ts';

/** A valid row: normalized values by field key, sensitive ones apart (they are hashed and sealed, never stored plain). */
export type AcceptedRow = {
  /** Position in the batch, so errors found later (identifier_exists) are reported in source order. */
  index: number;
  row: number;
  /** Dedupe key: the normalized identifier, or its SHA-256 hex when the identifier column is sensitive. */
  key: string;
  /** What a report may show of the identifier: the normalized value, or the mask. */
  identifierShown: string;
  attributes: Record<string, string>;
  sensitive: Record<string, string>;
};

export type PositionedError = { index: number; error: RowError };

export type ClassifiedRows = { accepted: AcceptedRow[]; errors: PositionedError[]; rejected: number; skipped: number };

/** The value a report may show: sensitive columns never leave a plain value in errors either. */
const shownValue = (column: PlannedColumn, raw: string): string => (column.sensitive ? SENSITIVE_MASK : raw);

function invalidReason(column: PlannedColumn, raw: string, reason: string): string {
  if (!column.sensitive) return reason;
  // normalizeValue quotes the offending value in its reason; a sensitive one must not travel in the message.
  const trimmed = raw.trim();
  const masked = reason.replaceAll(`"${trimmed}"`, SENSITIVE_MASK);
  return trimmed.length > 0 && masked.includes(trimmed) ? `not a valid ${column.type.replace('_', ' ')}` : masked;
}

function isBlankRow(values: readonly string[]): boolean {
  for (const v of values) if (v.trim() !== '') return false;
  return true;
}

/**
 * Per row, in this order: ragged (source field count ≠ header count) → rejected; values not matching the mapping
 * → rejected; all blank → skipped; empty identifier → rejected; any mapped value invalid → rejected (one error per
 * bad column); otherwise normalized. Pure: same rows and plan, same answer.
 */
export function classifyRows(rows: readonly BatchRow[], plan: ImportPlan): ClassifiedRows {
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
    errors.push({ index, error: { row: r.row, column, code, message, value } });
  for (let index = 0; index < rows.length; index++) {
    const r = rows[index] as BatchRow;
    const { values } = r;

    if (r.fieldCount !== undefined && r.fieldCount !== headerCount) {
      rejected++;
      reject(index, r, null, 'ragged_row', `row has ${r.fieldCount} fields but the header has ${headerCount}`, null);
      continue;
    }
    if (values.length !== columnCount) {
      rejected++;
      reject(index, r, null, 'wrong_field_count', `row carries ${values.length} values but ${columnCount} columns are imported`, null);
      continue;
    }
    if (isBlankRow(values)) {
      skipped++;
      continue;
    }
    const identifierRaw = values[identifierIndex] ?? '';
    if (identifierRaw.trim() === '') {
      rejected++;
      reject(index, r, identifierColumn.column, 'empty_identifier', `the identifier column "${identifierColumn.column}" is empty`, null);
      continue;
    }

    const attributes: Record<string, string> = {};
    const sensitive: Record<string, string> = {};
    let valid = true;
    for (let i = 0; i < columnCount; i++) {
      const column = columns[i] as PlannedColumn;
      const raw = values[i] ?? '';
      if (raw.trim() === '') continue;
      if (raw.length > MAX_CELL_LENGTH) {
        valid = false;
        const message = `value is ${raw.length} characters long; a cell may hold at most ${MAX_CELL_LENGTH}`;
        reject(index, r, column.column, 'invalid_value', message, shownValue(column, `${raw.slice(0, 40)}…`));
        continue;
      }
      const normalized = normalizeValue(column.type, raw, defaultCountry);
      if (!normalized.ok) {
        valid = false;
        reject(index, r, column.column, normalized.code, invalidReason(column, raw, normalized.reason), shownValue(column, raw));
        continue;
      }
      (column.sensitive ? sensitive : attributes)[column.target] = normalized.value;
    }
    if (!valid) {
      rejected++;
      continue;
    }

    const identifierValue = (identifierColumn.sensitive ? sensitive : attributes)[identifierColumn.target] ?? '';
    accepted.push({
      index,
      row: r.row,
      key: identifierColumn.sensitive ? sha256Hex(hashInput(identifierColumn.type, identifierValue)) : identifierValue,
      identifierShown: identifierColumn.sensitive ? SENSITIVE_MASK : identifierValue,
      attributes,
      sensitive,
    });
  }
  return { accepted, errors, rejected, skipped };
}
