import type { ImportCounts, ImportSummary } from '../../shared/schema/imports.ts';
import { sumCounts } from '../../shared/report/sumCounts.ts';
import type { ApiError } from '../api/apiError.ts';
import { api } from '../api/client.ts';
import { batchCount, batchRange, buildBatchRows, idempotencyKey, importedColumnIndexes, type RowSource } from './batchRows.ts';

export interface SendProgress {
  /** Rows the Worker has acknowledged (stored, merged, rejected or skipped): none of them can be lost any more. */
  rowsDone: number;
  totalRows: number;
  counts: ImportCounts;
}

export interface SendCallbacks {
  signal?: AbortSignal;
  onProgress?: (progress: SendProgress) => void;
  onRetry?: (error: ApiError, attempt: number, delayMs: number) => void;
}

export const addCounts = (a: ImportCounts, b: ImportCounts): ImportCounts => sumCounts(a, b);

/**
 * Sends the rows of an open import from the Worker's `nextSeq` on, one batch at a time (the Worker applies them
 * in order), then finishes it. Uses the mapping and batch size the import was started with, not whatever the
 * page shows now, so a resumed import slices and orders values exactly like the first attempt.
 * Each PUT carries a stable idempotency key and is retried with backoff; when retries run out the error is
 * thrown and the caller can call this again later: it asks the Worker where to continue.
 */
export async function sendBatches(importId: string, rows: RowSource, headers: readonly string[], callbacks: SendCallbacks = {}): Promise<ImportSummary> {
  const { signal, onProgress, onRetry } = callbacks;
  const summary = await api.getImport(importId, { signal, onRetry });
  if (summary.status === 'completed') return summary;
  const columns = importedColumnIndexes(summary.mapping, headers);
  const total = rows.rowCount;
  const batches = batchCount(total, summary.batchSize);
  let counts = summary.counts;
  onProgress?.({ rowsDone: batchRange(summary.nextSeq, summary.batchSize, total).first, totalRows: total, counts });

  for (let seq = summary.nextSeq; seq < batches; seq++) {
    signal?.throwIfAborted();
    const batchRows = buildBatchRows(rows, columns, headers.length, seq, summary.batchSize);
    const mapped = summary.mapping.columns.filter((c) => c.target !== null);
    const result = await api.putBatch(
      importId,
      { seq, idempotencyKey: idempotencyKey(importId, seq), rows: batchRows },
      {
        signal,
        onRetry,
        context: { rowAt: (i) => batchRows[i]?.row, columnAt: (j) => mapped[j]?.column },
      },
    );
    // A replayed answer (the first PUT was applied but its answer lost) was not counted yet either: always add.
    counts = addCounts(counts, result.counts);
    onProgress?.({ rowsDone: batchRange(seq, summary.batchSize, total).end, totalRows: total, counts });
  }
  return api.finishImport(importId, { signal, onRetry });
}
