import { MAX_BATCH_CELLS, MAX_BATCH_SENSITIVE_CELLS, formatLimit, maxBatchRows } from '../../shared/schema/limits.ts';
import { DomainError } from '../domainError.ts';
import type { ImportPlan } from './importPlan.ts';

/**
 * Refuses, before any work, a batch whose cells or sensitive cells (each sealed and hashed) exceed what one request
 * may cost (shared/schema/limits.ts): a 422 `batch_too_large` naming the limit and the rows per batch that fit.
 */
export function assertBatchWithinLimits(rows: readonly { values: readonly unknown[] }[], plan: ImportPlan): void {
  let cells = 0;
  for (const r of rows) cells += r.values.length;
  const sensitiveColumns = plan.columns.filter((c) => c.sensitive).length;
  const sensitiveCells = rows.length * sensitiveColumns;
  const fit = maxBatchRows(
    plan.columns.map((c) => ({ target: c.target, sensitive: c.sensitive })),
    rows.length,
  );
  if (cells > MAX_BATCH_CELLS) {
    throw new DomainError(
      'batch_too_large',
      `this batch carries ${formatLimit(cells, 'count')} values; a batch may carry at most ${formatLimit(MAX_BATCH_CELLS, 'count')} (send at most ${fit} rows per batch)`,
      { limit: 'cells', max: MAX_BATCH_CELLS, actual: cells, maxRows: fit },
    );
  }
  if (sensitiveCells > MAX_BATCH_SENSITIVE_CELLS) {
    throw new DomainError(
      'batch_too_large',
      `this batch carries ${formatLimit(sensitiveCells, 'count')} sensitive values; a batch may carry at most ${formatLimit(MAX_BATCH_SENSITIVE_CELLS, 'count')} (send at most ${fit} rows per batch)`,
      { limit: 'sensitiveCells', max: MAX_BATCH_SENSITIVE_CELLS, actual: sensitiveCells, maxRows: fit },
    );
  }
}
