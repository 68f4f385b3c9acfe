import type { Field } from '../../shared/schema/fields.ts';
import type { BatchResult, ImportCounts, ImportSummary } from '../../shared/schema/imports.ts';
import type { WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import { sumCounts } from '../../shared/report/sumCounts.ts';
import { ApiError } from '../api/apiError.ts';
import { api } from '../api/client.ts';
import { batchCount, batchRange, buildBatchRows, buildPackedBatchRows, idempotencyKey, importedColumnIndexes, type RowSource } from './batchRows.ts';
import { sensitivePositions } from './privateCells.ts';
import { measureSince, SAVE_TIMINGS } from './saveTimings.ts';
import { createSealPool, type SealPool, type SealPoolSetup } from './sealPool.ts';

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

/** A privacy-mode import: its sensitive values are hashed and sealed in this tab, to the workspace's key. */
export interface PrivacySending {
  key: WorkspaceSealingKey;
  /** The workspace's fields: the types (and allowed values) the sensitive values are judged by. */
  fields: readonly Field[];
}

export const addCounts = (a: ImportCounts, b: ImportCounts): ImportCounts => sumCounts(a, b);

/**
 * Batches sent before the oldest is answered. The Worker applies them in seq order (a batch arriving before its
 * predecessor committed does its own checking and hashing, then waits for it), so a second one hides the round trip
 * and the tab's and Worker's idle time between batches; more would only queue in the Worker.
 */
export const BATCHES_IN_FLIGHT = 2;

/**
 * Sends the rows of an open import from the Worker's `nextSeq` on, in seq order with BATCHES_IN_FLIGHT on their
 * way at once (the Worker applies them in order), then finishes it. Uses the mapping and batch size the import was started with, not whatever the
 * page shows now, so a resumed import slices and orders values exactly like the first attempt.
 * Each PUT carries a stable idempotency key and is retried with backoff; when retries run out the error is
 * thrown and the caller can call this again later: it asks the Worker where to continue.
 * In privacy mode (the import's summary says so) a pool of workers seals the next batches while others are on their way.
 */
export async function sendBatches(
  importId: string,
  rows: RowSource,
  headers: readonly string[],
  callbacks: SendCallbacks = {},
  /** What a privacy-mode import seals with; asked for only when the Worker says the import is in privacy mode. */
  loadPrivacy?: () => Promise<PrivacySending>,
): Promise<ImportSummary> {
  const { signal, onProgress, onRetry } = callbacks;
  for (const name of Object.values(SAVE_TIMINGS)) performance.clearMeasures(name);
  const summary = await api.getImport(importId, { signal, onRetry });
  if (summary.status === 'completed') return summary;
  const columns = importedColumnIndexes(summary.mapping, headers);
  const total = rows.rowCount;
  const batches = batchCount(total, summary.batchSize);
  const mapped = summary.mapping.columns.filter((c) => c.target !== null);
  let counts = summary.counts;
  onProgress?.({ rowsDone: batchRange(summary.nextSeq, summary.batchSize, total).first, totalRows: total, counts });

  // The Worker's word decides, not the page's: a resumed import, or one into a private audience, is sealed too.
  if (summary.privacyMode && !loadPrivacy) throw new Error('this import is in privacy mode: its values can only be sent sealed');
  const privacy = summary.privacyMode && loadPrivacy ? await loadPrivacy() : null;
  const positions = privacy ? sensitivePositions(summary.mapping, privacy.fields, summary.sealedColumns) : [];
  // Privacy mode without a sensitive column has nothing to seal: its batches are plain, without a sealing header.
  const sealed =
    privacy && positions.length > 0
      ? sealedBatches(importId, { key: privacy.key, positions, defaultCountry: summary.defaultCountry }, (seq) => buildPackedBatchRows(rows, columns, headers.length, seq, summary.batchSize), batches)
      : null;
  const send = async (seq: number): Promise<BatchResult> => {
    const { first } = batchRange(seq, summary.batchSize, total);
    if (sealed) {
      const waited = performance.now();
      const body = await sealed.body(seq);
      measureSince(SAVE_TIMINGS.sealWait, waited);
      signal?.throwIfAborted();
      const sent = performance.now();
      const result = await api.putBatchBytes(importId, seq, body, {
        signal,
        onRetry,
        // Batches are contiguous slices: the i-th row of batch seq is data row first + i (1-based: + 1).
        context: { rowAt: (i) => first + i + 1, columnAt: (j) => mapped[j]?.column },
      });
      measureSince(SAVE_TIMINGS.put, sent);
      sealed.acknowledged(seq);
      return result;
    }
    const built = performance.now();
    const batchRows = buildBatchRows(rows, columns, headers.length, seq, summary.batchSize);
    measureSince(SAVE_TIMINGS.build, built);
    const sent = performance.now();
    const result = await api.putBatch(
      importId,
      { seq, idempotencyKey: idempotencyKey(importId, seq), rows: batchRows },
      { signal, onRetry, context: { rowAt: (i) => batchRows[i]?.row, columnAt: (j) => mapped[j]?.column } },
    );
    measureSince(SAVE_TIMINGS.put, sent);
    return result;
  };
  // Answers are taken in seq order; the ones still on their way when one fails are left to settle unheard (a
  // resumed send asks the Worker where it stands and replays them by their idempotency keys).
  const inFlight: Promise<BatchResult>[] = [];
  const settleOldest = async (seq: number) => {
    const result = await (inFlight.shift() as Promise<BatchResult>);
    // A replayed answer (the first PUT was applied but its answer lost) was not counted yet either: always add.
    counts = addCounts(counts, result.counts);
    onProgress?.({ rowsDone: batchRange(seq, summary.batchSize, total).end, totalRows: total, counts });
  };
  try {
    let answered = summary.nextSeq;
    for (let seq = summary.nextSeq; seq < batches; seq++) {
      signal?.throwIfAborted();
      const previous = inFlight.at(-1);
      const answer = send(seq).catch(async (error: unknown) => {
        // The Worker waits a bounded time for the batch before; if that one was slow, send this one again after it.
        if (!previous || !(error instanceof ApiError) || error.code !== 'batch_out_of_order') throw error;
        await previous;
        signal?.throwIfAborted();
        return send(seq);
      });
      answer.catch(() => {}); // heard in order below
      inFlight.push(answer);
      if (inFlight.length >= BATCHES_IN_FLIGHT) await settleOldest(answered++);
    }
    while (inFlight.length) await settleOldest(answered++);
  } finally {
    sealed?.close();
  }
  return api.finishImport(importId, { signal, onRetry });
}

/**
 * Sealed bodies not yet acknowledged by the Worker, by idempotency key. Kept across a pause and resume in this tab,
 * so a batch whose PUT may have reached the Worker is sent again as exactly the same bytes, never sealed a second
 * time differently under the same key. At most a few batches (the look-ahead) of one import.
 */
const unacknowledged = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
let unacknowledgedImport: string | null = null;

/** Batches sealed ahead of sending, at most this many per worker beyond the one being sent. */
const AHEAD_PER_WORKER = 1;

function sealedBatches(importId: string, setup: SealPoolSetup, build: (seq: number) => ReturnType<typeof buildPackedBatchRows>, batches: number) {
  if (unacknowledgedImport !== importId) {
    unacknowledged.clear();
    unacknowledgedImport = importId;
  }
  let pool: SealPool | null = null;
  const open = () => (pool ??= createSealPool(setup));

  const ensure = (seq: number) => {
    const key = idempotencyKey(importId, seq);
    let body = unacknowledged.get(key);
    if (!body) {
      const built = performance.now();
      const rows = build(seq);
      measureSince(SAVE_TIMINGS.build, built);
      body = open().seal({ seq, idempotencyKey: key, rows }) as Promise<Uint8Array<ArrayBuffer>>;
      // A batch that failed to seal is sealed again when asked for next, not answered with the old failure.
      body.catch(() => unacknowledged.get(key) === body && unacknowledged.delete(key));
      unacknowledged.set(key, body);
    }
    return body;
  };

  return {
    /** The body of batch seq, with the next few batches already sealing in the pool meanwhile. */
    body(seq: number): Promise<Uint8Array<ArrayBuffer>> {
      const body = ensure(seq);
      const ahead = Math.min(batches, seq + 1 + open().size * AHEAD_PER_WORKER + 1);
      for (let next = seq + 1; next < ahead; next++) ensure(next);
      return body;
    },
    /** The Worker holds batch seq: its bytes are dropped from the tab. */
    acknowledged(seq: number) {
      unacknowledged.delete(idempotencyKey(importId, seq));
    },
    close() {
      pool?.close();
    },
  };
}
