import type { RowErrorCode } from '../schema/imports.ts';
import type { RefusedCell } from '../schema/privacy.ts';
import { checkCell, type CellContext } from '../validation/importRules.ts';
import { maskedHint } from '../validation/maskedHint.ts';

const MAX_HINT = 40;

export type SensitiveCellVerdict = { ok: true; normalized: string } | { ok: false; refused: RefusedCell };

/** A RefusedCell: what the Worker reports for a sensitive value the tab refused, without ever seeing it. */
export function refusedCell(problem: RowErrorCode, message: string, hint: string | null): RefusedCell {
  return { problem, message, hint: hint === null ? null : hint.slice(0, MAX_HINT) };
}

/**
 * Rule 5 of the import rules (shared/validation/importRules.ts) for one non-blank sensitive cell, as the tab runs
 * it in privacy mode: valid → the normalized value to seal (sealBatchCells); invalid → a RefusedCell with the same
 * code and message the Worker would give (the value never quoted) and the masked hint ("missing @"). A blank
 * sensitive cell is not checked: it is sent as "" (absent), like any blank cell.
 */
export function checkSensitiveCell(raw: string, context: Omit<CellContext, 'sensitive'>): SensitiveCellVerdict {
  const verdict = checkCell(raw, { ...context, sensitive: true });
  if (verdict.ok) return { ok: true, normalized: verdict.value };
  return { ok: false, refused: refusedCell(verdict.code, verdict.message, maskedHint(context.type, raw)) };
}
