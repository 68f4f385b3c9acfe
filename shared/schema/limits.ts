/**
 * What one request may ask of the Worker. A Worker isolate has 128 MB: parsing a JSON body costs a few times its
 * size, and every sensitive cell costs an AES-GCM seal and two digests, so each request is bounded in bytes,
 * cells and sensitive cells rather than rows alone. Above a limit the answer is 413 `payload_too_large` (bytes) or
 * 422 `batch_too_large` (cells), never a crash; the SPA sizes its batches with maxBatchRows() to stay within them.
 */

/** Any JSON body but a batch's: a 500-column mapping with long headers is ~0.3 MB. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** A batch body. 2,000 rows × 100 columns of ~40 bytes is ~8 MB. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** Values (rows × imported columns) in one batch. */
export const MAX_BATCH_CELLS = 250_000;
/** Values of sensitive columns in one batch: each is sealed and hashed. */
export const MAX_BATCH_SENSITIVE_CELLS = 50_000;
/** Largest value one cell may carry; longer values are rejected with a row error, not truncated. */
export const MAX_CELL_LENGTH = 10_000;
/** Columns of a source (headers) and of a mapping. */
export const MAX_COLUMNS = 500;
/** A header (column name): the plan stores the names several times in one D1 row (2 MB at most). */
export const MAX_HEADER_LENGTH = 1_000;

/**
 * The most rows a batch of this mapping may carry within MAX_BATCH_CELLS and MAX_BATCH_SENSITIVE_CELLS, and at most
 * `wanted`. At least 1: a single row of MAX_COLUMNS columns is always within the limits.
 */
export function maxBatchRows(columns: readonly { target: string | null; sensitive?: boolean }[], wanted: number): number {
  const imported = columns.filter((c) => c.target !== null);
  const sensitive = imported.filter((c) => c.sensitive).length;
  const byCells = Math.floor(MAX_BATCH_CELLS / Math.max(1, imported.length));
  const bySensitive = Math.floor(MAX_BATCH_SENSITIVE_CELLS / Math.max(1, sensitive));
  return Math.max(1, Math.min(wanted, byCells, bySensitive));
}

/** "16 MB", "250,000": limits as the messages name them. */
export function formatLimit(n: number, unit: 'bytes' | 'count'): string {
  return unit === 'bytes' && n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MB` : n.toLocaleString('en-US');
}
