import { isSealedCell } from '../../shared/privacy/cellShape.ts';
import type { PrivateBatchRow, RowError } from '../../shared/schema/imports.ts';
import {
  checkCell,
  emptyIdentifierMessage,
  isBlank,
  raggedRowMessage,
  SENSITIVE_MASK,
  shownValue,
  wrongFieldCountMessage,
} from '../../shared/validation/importRules.ts';
import { identifierKey, type SensitiveKeyOf, type SensitiveKeyOfHash } from './identifierKey.ts';
import type { ImportPlan, PlannedColumn } from './importPlan.ts';

/**
 * One envelope of a privacy-mode row, as the tab sealed it: the fields whose values it holds, in column order (the
 * order of its plaintext, envelopePlaintext), its `c`, and the row's position in the batch (a later row's envelope is
 * newer, when rows of one identifier are merged).
 */
export type RowEnvelope = { fields: string[]; c: string; index: number };

/** A privacy-mode sensitive value: the tab's SHA-256 of it and the envelope that holds it (shared by the row's fields in it). */
export type SealedValue = { h: string; envelope: RowEnvelope };

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
  /** Privacy mode: sensitive values as the tab sealed them (SHA-256 and envelope), in place of `sensitive`. */
  sealedCells?: Record<string, SealedValue>;
};

export type PositionedError = { index: number; error: RowError };

export type ClassifiedRows = { accepted: AcceptedRow[]; errors: PositionedError[]; rejected: number; skipped: number };

/**
 * Enforces the import rules (shared/validation/importRules.ts, which states their order, codes and messages — the
 * grid predicts with the same ones): ragged → rejected; values not matching the mapping → rejected; all blank →
 * skipped; empty identifier → rejected; any mapped value invalid or not among its field's allowed values → rejected (one error per bad column); otherwise
 * normalized. Pure: same rows and plan, same answer.
 *
 * Privacy mode (rows whose sensitive cells are PrivateCells; batchModeProblem has checked they sit only there): a
 * sealed cell is accepted as it is — the tab normalized and checked it, the Worker cannot — and keyed by its SHA-256
 * (`sensitiveKeyOfHash`); a `{ h, c }` cell opens an envelope, each `{ h }` cell after it in the row is one more field
 * of that envelope (batchModeProblem has refused a `{ h }` with none before it); a refused cell rejects the row with
 * the tab's code and message, its masked hint as value.
 */
export function classifyRows(
  rows: readonly PrivateBatchRow[],
  plan: ImportPlan,
  sensitiveKeyOf: SensitiveKeyOf,
  sensitiveKeyOfHash?: SensitiveKeyOfHash,
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
  const reject = (index: number, r: PrivateBatchRow, column: string | null, code: RowError['code'], message: string, value: string | null) =>
    errors.push({ index, error: r.line === undefined ? { row: r.row, column, code, message, value } : { row: r.row, line: r.line, column, code, message, value } });
  for (let index = 0; index < rows.length; index++) {
    const r = rows[index] as PrivateBatchRow;
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
    if (isBlankCells(values)) {
      skipped++;
      continue;
    }
    const identifierRaw = values[identifierIndex] ?? '';
    if (typeof identifierRaw === 'string' && isBlank(identifierRaw)) {
      rejected++;
      reject(index, r, identifierColumn.column, 'empty_identifier', emptyIdentifierMessage(identifierColumn.column), null);
      continue;
    }

    const attributes: Record<string, string> = {};
    const sensitive: Record<string, string> = {};
    let sealedCells: Record<string, SealedValue> | undefined;
    let envelope: RowEnvelope | null = null;
    let valid = true;
    for (let i = 0; i < columnCount; i++) {
      const column = columns[i] as PlannedColumn;
      const raw = values[i] ?? '';
      if (typeof raw !== 'string') {
        if ('h' in raw) {
          if (isSealedCell(raw)) envelope = { fields: [column.target], c: raw.c, index };
          else if (envelope) envelope.fields.push(column.target);
          else throw new Error(`row ${r.row}: a value sealed along with no envelope before it (batchModeProblem refuses this)`);
          (sealedCells ??= {})[column.target] = { h: raw.h, envelope: envelope as RowEnvelope };
        } else {
          valid = false;
          reject(index, r, column.column, raw.problem, raw.message, raw.hint ?? SENSITIVE_MASK);
        }
        continue;
      }
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

    const sealedIdentifier = sealedCells?.[identifierColumn.target];
    let key: string;
    if (sealedIdentifier) {
      if (!sensitiveKeyOfHash) throw new Error('a sealed identifier needs sensitiveKeyOfHash');
      key = sensitiveKeyOfHash(sealedIdentifier.h);
    } else {
      key = identifierKey(identifierColumn, (identifierColumn.sensitive ? sensitive : attributes)[identifierColumn.target] ?? '', sensitiveKeyOf);
    }
    // The optional fields set apart rather than spread in: no throwaway object per row.
    const acceptedRow: AcceptedRow = { index, row: r.row, key, identifierShown: identifierColumn.sensitive ? SENSITIVE_MASK : key, attributes, sensitive };
    if (r.line !== undefined) acceptedRow.line = r.line;
    if (sealedCells) acceptedRow.sealedCells = sealedCells;
    accepted.push(acceptedRow);
  }
  return { accepted, errors, rejected, skipped };
}

/** isBlankRow for cells that may be PrivateCells (which are never blank: a blank sensitive cell is sent as ""). */
function isBlankCells(values: readonly (string | object)[]): boolean {
  for (const v of values) if (typeof v !== 'string' || !isBlank(v)) return false;
  return true;
}
