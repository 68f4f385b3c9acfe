import type { DryRunCounts } from '../../shared/schema/audiences.ts';
import type { RowErrorCode } from '../../shared/schema/imports.ts';
import { sumCounts } from '../../shared/report/sumCounts.ts';
import type { PositionedError } from '../imports/classifyRows.ts';

export const emptyDryRunCounts = (): DryRunCounts => ({ received: 0, inserted: 0, updated: 0, merged: 0, rejected: 0, skipped: 0 });

/** Rejected rows per reason: a row with two bad cells of one kind counts once under it. Pure. */
export function rejectedByReason(errors: readonly PositionedError[]): Partial<Record<RowErrorCode, number>> {
  const seen = new Set<string>();
  const byReason: Partial<Record<RowErrorCode, number>> = {};
  for (const { index, error } of errors) {
    const id = `${index}:${error.code}`;
    if (seen.has(id)) continue;
    seen.add(id);
    byReason[error.code] = (byReason[error.code] ?? 0) + 1;
  }
  return byReason;
}

export const addReasons = (a: Partial<Record<RowErrorCode, number>>, b: Partial<Record<RowErrorCode, number>>) =>
  sumCounts<Partial<Record<RowErrorCode, number>>>(a, b);

export const addCounts = (a: DryRunCounts, b: DryRunCounts): DryRunCounts => sumCounts(a, b);
