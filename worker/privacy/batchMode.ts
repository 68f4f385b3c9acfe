import type { PrivateBatchRow } from '../../shared/schema/imports.ts';
import { refusedCellProblem } from '../../shared/privacy/checkSensitiveCell.ts';
import type { BatchSealingHeader } from '../../shared/schema/privacy.ts';
import type { ImportPlan } from '../imports/importPlan.ts';

/** Where a batch contradicts its import's mode: a sentence and the first row and column that do. */
export type BatchModeProblem = { message: string; row: number | null; column: string | null };

const isBlankText = (v: string) => v.trim() === '';

/**
 * Whether a batch fits its import's privacy mode (plan.privacy), before anything is classified. A privacy-mode
 * import with sensitive columns: `sealing` is required, and every non-blank sensitive cell is a PrivateCell — a
 * plain value there would be a sensitive value that left the tab in clear. Any other import: no `sealing`, no
 * PrivateCell anywhere. Plain columns hold text in both. A refused cell says only what the import rules say
 * (refusedCellProblem), since its message and hint become a stored row error. A SealedAlongCell (`{ h }`) has its
 * value in the envelope of a SealedCell (`{ h, c }`) before it in its row: one with none before it has nowhere to
 * be. Pure; null when the batch fits.
 */
export function batchModeProblem(rows: readonly PrivateBatchRow[], plan: ImportPlan, sealing: BatchSealingHeader | undefined): BatchModeProblem | null {
  const privacy = plan.privacy === true;
  const { columns } = plan;
  const sealedColumns = privacy && columns.some((c) => c.sensitive);
  if (sealedColumns && !sealing) {
    return {
      message: 'batch claims privacy mode with plain values: this import is in privacy mode, so each batch carries `sealing` and its sensitive values sealed in the browser',
      row: null,
      column: null,
    };
  }
  if (!privacy && sealing) {
    return { message: 'batch claims privacy mode, but this import is not in privacy mode: send its values as text, without `sealing`', row: null, column: null };
  }
  for (const r of rows) {
    const { values } = r;
    let envelopeBefore = false;
    for (let i = 0; i < values.length; i++) {
      const cell = values[i] ?? '';
      const column = columns[i];
      if (typeof cell === 'string') {
        if (column && sealedColumns && column.sensitive && !isBlankText(cell)) {
          return {
            message: `batch claims privacy mode with plain values: row ${r.row}, column "${column.column}" holds a plain value; a sensitive value is sealed in the browser in privacy mode`,
            row: r.row,
            column: column.column,
          };
        }
        continue;
      }
      const where = `row ${r.row}, column ${column ? `"${column.column}"` : i + 1}`;
      if (!privacy) {
        return { message: `a plain batch with sealed cells: ${where} holds a sealed value, but this import is not in privacy mode`, row: r.row, column: column?.column ?? null };
      }
      if (!column?.sensitive) {
        return { message: `${where} holds a sealed value, but only sensitive columns are sealed: send its value as text`, row: r.row, column: column?.column ?? null };
      }
      if ('problem' in cell) {
        const refused = refusedCellProblem(cell, column);
        if (refused) return { message: `${where} is a refused cell, but ${refused} (it might carry the value)`, row: r.row, column: column.column };
      } else if ('c' in cell) {
        envelopeBefore = true;
      } else if (!envelopeBefore) {
        return {
          message: `${where} holds a value sealed along with an earlier cell of its row, but no cell before it in the row carries an envelope (\`c\`): seal the row again`,
          row: r.row,
          column: column.column,
        };
      }
    }
  }
  return null;
}
