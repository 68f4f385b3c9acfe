import { SELF } from 'cloudflare:test';
import type { BatchResult, BatchRow, ImportSummary, StartImportBody } from '../../../shared/schema/imports.ts';
import type { ImportMapping } from '../../../shared/schema/mapping.ts';

export type Answer<T = unknown> = { status: number; body: T };

/** One request to the Worker through its real fetch handler, JSON in and out. */
export async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const init: RequestInit = { method };
  // Like the SPA: a POST always says JSON (the Worker refuses one that does not, body or not).
  if (body !== undefined || method === 'POST') init.headers = { 'content-type': 'application/json' };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await SELF.fetch(`http://app.test${path}`, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function ok<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await call<T>(method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export type Column = { column: string; target: string | null; sensitive?: boolean };

/** A start body for a CSV import whose headers are the given columns. */
export function startBody(
  columns: Column[],
  identifier: string,
  options: { audienceName?: string; audienceId?: string; onMatch?: ImportMapping['onMatch']; batchSize?: number; defaultCountry?: string } = {},
): StartImportBody {
  const { audienceId, audienceName, onMatch = 'update', batchSize = 2000, defaultCountry = 'US' } = options;
  return {
    ...(audienceId ? { audienceId } : { audienceName: audienceName ?? `Audience ${crypto.randomUUID().slice(0, 8)}` }),
    source: { kind: 'csv', fileName: 'contacts.csv', headers: columns.map((c) => c.column) },
    mapping: {
      columns: columns.map((c) => ({ column: c.column, target: c.target, sensitive: c.sensitive ?? false })),
      identifier,
      onMatch,
    },
    consent: { doubleOptIn: true },
    defaultCountry,
    batchSize,
  };
}

export const startImport = (body: StartImportBody) => ok<ImportSummary>('POST', '/api/imports', body);

/** Rows numbered from `firstRow`; values in the order of the imported (non-skipped) columns. */
export function rows(firstRow: number, values: string[][]): BatchRow[] {
  return values.map((v, i) => ({ row: firstRow + i, values: v }));
}

export const putBatch = (importId: string, seq: number, batchRows: BatchRow[], idempotencyKey = `key-${importId}-${seq}`) =>
  call<BatchResult>('PUT', `/api/imports/${importId}/batches/${seq}`, { seq, idempotencyKey, rows: batchRows });

export async function sendBatch(importId: string, seq: number, batchRows: BatchRow[], idempotencyKey?: string): Promise<BatchResult> {
  const answer = await putBatch(importId, seq, batchRows, idempotencyKey);
  if (answer.status !== 200) throw new Error(`batch ${seq} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}
