import type { RowErrorCode } from '../schema/imports.ts';
import type { RefusedCell } from '../schema/privacy.ts';
import type { PlannedAllowedValues } from '../schema/importPlan.ts';
import { checkCell, invalidSensitiveMessage, LISTED_VALUES, type CellContext } from '../validation/importRules.ts';
import { pickListProblem } from '../validation/pickListValues.ts';
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

// Every shape maskedHint describes (shared/validation/maskedHint.ts), and nothing else: a hint that fits none may
// carry part of the value.
const MASKED_HINT = /^(?:missing @|\d{1,5} @ signs|contains a space|nothing before @|nothing after @|no dot after @|misplaced dot after @|contains letters|\d{1,5} digits?)$/;
const TOO_LONG = /^The value is \d{1,9} characters long; a cell may hold at most [\d,]+\.$/;

/**
 * Whether a RefusedCell says only what the import rules would say of an invalid sensitive value of this column —
 * the code's message for the type (invalidSensitiveMessage, tooLongMessage, notAllowedMessage without the value) and
 * a hint of a shape maskedHint gives — so a row error built from it cannot carry the value the tab kept back. Null
 * when it does, else what is wrong.
 */
export function refusedCellProblem(cell: RefusedCell, column: Pick<CellContext, 'type' | 'allowed'>): string | null {
  if (cell.hint !== null && !MASKED_HINT.test(cell.hint)) return 'its hint is not a masked hint';
  switch (cell.problem) {
    case 'invalid_email':
    case 'invalid_phone':
    case 'invalid_value':
      if (cell.message === invalidSensitiveMessage(column.type, cell.hint)) return null;
      if (cell.problem === 'invalid_value' && TOO_LONG.test(cell.message)) return null;
      return 'its message is not one the import rules give';
    case 'value_not_allowed':
      return column.allowed && isPickListMessage(cell.message, column.allowed) ? null : 'its message is not one the import rules give';
    default:
      return `a cell cannot be refused for ${cell.problem}`;
  }
}

/**
 * A sensitive pick-list cell's message: one sentence per value that cannot be stored (a multi-select cell may have
 * several), each "not one of the allowed values" or "was retired", never quoting the value.
 */
function isPickListMessage(message: string, allowed: PlannedAllowedValues): boolean {
  const sentences = [pickListProblem(null, allowed, false, LISTED_VALUES), pickListProblem(null, allowed, true, LISTED_VALUES)];
  let rest = message;
  while (rest !== '') {
    const found = sentences.find((s) => rest === s || rest.startsWith(`${s} `));
    if (!found) return false;
    rest = rest.slice(Math.min(rest.length, found.length + 1));
  }
  return message !== '';
}
