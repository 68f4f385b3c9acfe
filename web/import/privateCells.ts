import { importedColumns } from '../../shared/mapping/importedColumns.ts';
import type { PlannedAllowedValues } from '../../shared/schema/importPlan.ts';
import type { Field, FieldType } from '../../shared/schema/fields.ts';
import type { PrivateBatchRow } from '../../shared/schema/imports.ts';
import type { ImportMapping } from '../../shared/schema/mapping.ts';
import type { RefusedCell } from '../../shared/schema/privacy.ts';
import { type CellToSeal, checkSensitiveCell, type SealedRowCells } from '../../shared/privacy/index.ts';
import { isBlank } from '../../shared/validation/importRules.ts';

/**
 * The tab side of privacy mode, pure: which values of a batch row are sensitive, what each becomes before it is
 * sealed (the shared rules, so the Worker would have normalised it the same way), and the row that goes out — a
 * PrivateCell at every sensitive position, the plain values elsewhere.
 */

/** A sensitive imported column: its position in BatchRow.values and what the shared rules need to judge its cells. */
export interface SensitivePosition {
  index: number;
  type: FieldType;
  /** The field's allowed values (a CRM pick list), judged here because the Worker never sees the value. */
  allowed?: PlannedAllowedValues;
}

/**
 * The sensitive positions of an import's batch rows, from the mapping the import was started with (its imported
 * columns are the values' order) and the workspace's fields (types, allowed values). `sealedColumns`, when the
 * Worker gives it, names the columns to seal: the audience may make a field sensitive that the mapping left plain.
 * An unknown field is refused rather than guessed: a wrong type would normalise, and so hash, a value differently
 * from the Worker.
 */
export function sensitivePositions(mapping: Pick<ImportMapping, 'columns'>, fields: readonly Field[], sealedColumns?: readonly string[]): SensitivePosition[] {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const sealed = sealedColumns ? new Set(sealedColumns) : null;
  const positions: SensitivePosition[] = [];
  importedColumns(mapping).forEach((c, index) => {
    if (!(sealed ? sealed.has(c.column) : c.sensitive)) return;
    const field = byKey.get(c.target);
    if (!field) throw new Error(`the field "${c.target}" of column "${c.column}" does not exist any more`);
    const position: SensitivePosition = { index, type: field.type };
    if (field.allowedValues) position.allowed = { fieldLabel: field.label, values: field.allowedValues };
    positions.push(position);
  });
  return positions;
}

/** What one sensitive cell becomes: nothing to hide (blank), a value to seal, or a refusal that keeps the value home. */
export type SensitiveVerdict = { kind: 'blank' } | { kind: 'seal'; type: FieldType; normalized: string } | { kind: 'refused'; cell: RefusedCell };

/**
 * Judges one sensitive cell as the Worker would (checkSensitiveCell: rule 5 of importRules). A blank cell stays
 * blank: an empty string gives nothing away, and a blank is absent to the Worker (or an empty identifier, which it
 * reports itself). An invalid value is refused with the Worker's message for a sensitive column and a masked hint —
 * never the value.
 */
export function judgeSensitiveCell(raw: string, position: SensitivePosition, defaultCountry: string): SensitiveVerdict {
  if (isBlank(raw)) return { kind: 'blank' };
  const verdict = checkSensitiveCell(raw, { type: position.type, defaultCountry, allowed: position.allowed });
  return verdict.ok ? { kind: 'seal', type: position.type, normalized: verdict.normalized } : { kind: 'refused', cell: verdict.refused };
}

/** The values to seal, row by row (each row's in column order: one envelope a row), and where each goes. */
export interface SealWork {
  /** Per batch row with values to seal (rows with none are left out): its values, in column order. */
  rows: CellToSeal[][];
  /** Per value of `rows`, in the same order flattened: row index in the batch and value index in the row. */
  places: Uint32Array;
}

/**
 * Replaces each sensitive value of the rows (in place: the rows are this batch's own copy) with its refusal or a
 * blank, and lists the values to seal, a row's together (sealBatchCells seals each row's in one envelope, which the
 * row's first sealed cell carries). Every row is treated alike, ragged ones too: the Worker rejects those, but
 * their values must not travel in clear any more than the others'.
 */
export function prepareSealing(rows: PrivateBatchRow[], positions: readonly SensitivePosition[], defaultCountry: string): SealWork {
  const toSeal: CellToSeal[][] = [];
  const places: number[] = [];
  // Column order, whatever order the positions came in: the Worker reads a row envelope's values as the fields of its
  // `{ h, c }` cell and the `{ h }` cells after it, left to right, so any other order would give values to the wrong fields.
  const inColumnOrder = positions.slice().sort((a, b) => a.index - b.index);
  rows.forEach((row, r) => {
    let cells: CellToSeal[] | null = null;
    for (const position of inColumnOrder) {
      const raw = row.values[position.index];
      if (typeof raw !== 'string') continue;
      const verdict = judgeSensitiveCell(raw, position, defaultCountry);
      if (verdict.kind === 'blank') row.values[position.index] = '';
      else if (verdict.kind === 'refused') row.values[position.index] = verdict.cell;
      else {
        (cells ??= []).push({ type: verdict.type, normalized: verdict.normalized });
        places.push(r, position.index);
        // Not left in the row while sealing runs: nothing below may send or log it by mistake.
        row.values[position.index] = '';
      }
    }
    if (cells) toSeal.push(cells);
  });
  return { rows: toSeal, places: Uint32Array.from(places) };
}

/** Puts the sealed cells where prepareSealing took their values from: a row's envelope lands on its first sealed column. */
export function placeSealed(rows: PrivateBatchRow[], work: SealWork, sealed: readonly SealedRowCells[]): void {
  if (sealed.length !== work.rows.length) throw new Error(`sealed ${sealed.length} rows of ${work.rows.length}`);
  let at = 0;
  sealed.forEach((cells, j) => {
    if (cells.length !== (work.rows[j] as CellToSeal[]).length) throw new Error(`sealed ${cells.length} values of row ${j}'s ${(work.rows[j] as CellToSeal[]).length}`);
    for (const cell of cells) {
      const row = rows[work.places[2 * at] as number];
      if (!row) throw new Error('a sealed value has no row');
      row.values[work.places[2 * at + 1] as number] = cell;
      at++;
    }
  });
}
