import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import type { BatchRow, ImportSummary } from '../../shared/schema/imports.ts';
import { MAX_BATCH_BYTES, MAX_BATCH_CELLS, MAX_BATCH_SENSITIVE_CELLS, MAX_JSON_BODY_BYTES } from '../../shared/schema/limits.ts';
import { call, ok, putBatch, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';

type Err = { error: { code: string; message: string; details?: unknown } };

const encoder = new TextEncoder();

/** A body of `bytes` bytes streamed in 64 KB chunks (no Content-Length): the Worker has to count while reading. */
function streamedBody(prefix: string, filler: string, bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = encoder.encode(filler.repeat(Math.ceil(65_536 / filler.length)));
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) {
        const head = encoder.encode(prefix);
        sent += head.length;
        controller.enqueue(head);
      } else if (sent < bytes) {
        sent += chunk.length;
        controller.enqueue(chunk);
      } else controller.close();
    },
  });
}

async function send(method: string, path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<{ status: number; body: Err }> {
  const res = await SELF.fetch(`http://app.test${path}`, { method, body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: (await res.json()) as Err };
}

async function stillAnswers(): Promise<void> {
  const health = await call<{ ok: boolean }>('GET', '/api/health');
  expect(health).toEqual({ status: 200, body: { ok: true, workspaces: 1 } });
}

/** Custom text fields wide_1…wide_N, so a mapping can be as wide as the test needs (written straight to D1: 500 POSTs take a minute). */
async function textFields(n: number): Promise<string[]> {
  const keys = Array.from({ length: n }, (_, i) => `wide_${i + 1}`);
  const insert = env.DB.prepare(`INSERT OR IGNORE INTO fields (workspace_id, key, label, type, created_at) VALUES ('default', ?, ?, 'text', '2026-01-01')`);
  await env.DB.batch(keys.map((key) => insert.bind(key, key)));
  return keys;
}

describe('body size limits', () => {
  it('answer 413 JSON naming the limit for start-import and template bodies of 3 and 100 MB (not SQLITE_TOOBIG)', async () => {
    const huge = 'x'.repeat(3 * 1024 * 1024);
    const start = startBody([{ column: 'Email', target: 'email' }], 'Email');
    const bigStart = await send('POST', '/api/imports', JSON.stringify({ ...start, source: { ...start.source, fileName: huge } }));
    expect(bigStart.status).toBe(413);
    expect(bigStart.body.error).toEqual({ code: 'payload_too_large', message: expect.stringContaining('1 MB'), details: { limitBytes: MAX_JSON_BODY_BYTES } });
    const bigTemplate = await send('PUT', '/api/templates', JSON.stringify({ name: 'x', signature: huge, mapping: start.mapping }));
    expect(bigTemplate.status).toBe(413);
    // 100 MB streamed without Content-Length: refused once 1 MB has been read, the rest never held.
    const streamed = await send('PUT', '/api/templates', streamedBody('{"name":"x","signature":"', 'y', 100 * 1024 * 1024));
    expect(streamed.status).toBe(413);
    expect(streamed.body.error.code).toBe('payload_too_large');
    const audiences = await send('POST', '/api/audiences', JSON.stringify({ name: 'a'.repeat(2 * 1024 * 1024) }));
    expect(audiences.status).toBe(413);
    await stillAnswers();
  });

  it('refuse the 40 MB batch of 5,000 rows × 500 sensitive columns cleanly, and the Worker answers afterwards', async () => {
    const keys = await textFields(500);
    const columns: Column[] = keys.map((key) => ({ column: key, target: key, sensitive: true }));
    // The import itself cannot be started with batches that large: the batch size that fits is named.
    const refusedStart = await call<Err>('POST', '/api/imports', startBody(columns, 'wide_1', { batchSize: 5_000 }));
    expect(refusedStart.status).toBe(400);
    expect(refusedStart.body.error.details).toEqual([{ path: ['batchSize'], message: expect.stringMatching(/at most 100 rows per batch/) }]);
    const imp = await startImport(startBody(columns, 'wide_1', { batchSize: 100 }));

    // 5,000 rows × 500 values of 15 characters: ~42 MB, streamed the way a client without Content-Length sends it.
    const row = JSON.stringify({ row: 1, values: Array.from({ length: 500 }, (_, i) => `value-${String(i).padStart(9, '0')}`) });
    const prefix = `{"seq":0,"idempotencyKey":"forty-megabytes","rows":[${row}`;
    const res = await send('PUT', `/api/imports/${imp.id}/batches/0`, streamedBody(prefix, `,${row}`, 5_000 * row.length));
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({
      code: 'payload_too_large',
      message: 'a batch may be at most 16 MB; send fewer rows per batch',
      details: { limitBytes: MAX_BATCH_BYTES },
    });
    await stillAnswers();
    // Nothing was applied: the import still expects batch 0 and takes a batch of the size it was started with.
    expect((await ok<ImportSummary>('GET', `/api/imports/${imp.id}`)).nextSeq).toBe(0);
    const small = Array.from({ length: 100 }, (_, r) => ({ row: r + 1, values: keys.map((k) => `${k}-${r}`) }));
    expect((await sendBatch(imp.id, 0, small)).counts.inserted).toBe(100);
  });

  it('refuse a batch over the cell or sensitive-cell limit with 422 naming it, before any work', async () => {
    const keys = await textFields(60);
    const wide = await startImport(startBody(keys.map((k) => ({ column: k, target: k })), 'wide_1', { batchSize: 100 }));
    // 4,200 rows × 60 values = 252,000 > 250,000, in ~1.6 MB.
    const tooMany = Array.from({ length: 4_200 }, (_, r): BatchRow => ({ row: r + 1, values: keys.map(() => 'a') }));
    const cells = await putBatch(wide.id, 0, tooMany);
    expect(cells.status).toBe(422);
    expect((cells.body as unknown as Err).error).toEqual({
      code: 'batch_too_large',
      message: `this batch carries 252,000 values; a batch may carry at most 250,000 (send at most 4166 rows per batch)`,
      details: { limit: 'cells', max: MAX_BATCH_CELLS, actual: 252_000, maxRows: 4166 },
    });

    const sensitive = await startImport(startBody(keys.slice(0, 26).map((k) => ({ column: k, target: k, sensitive: true })), 'wide_1', { batchSize: 10 }));
    const secrets = Array.from({ length: 2_000 }, (_, r): BatchRow => ({ row: r + 1, values: keys.slice(0, 26).map((k) => `${k}-${r}`) }));
    const sealed = await putBatch(sensitive.id, 0, secrets);
    expect(sealed.status).toBe(422);
    expect((sealed.body as unknown as Err).error).toMatchObject({
      code: 'batch_too_large',
      details: { limit: 'sensitiveCells', max: MAX_BATCH_SENSITIVE_CELLS, actual: 52_000, maxRows: 1923 },
    });
    expect((await ok<ImportSummary>('GET', `/api/imports/${sensitive.id}`)).counts.received).toBe(0);
    await stillAnswers();
  });

  it('take a batch right at the limits: 1,000 rows × 50 sensitive columns, and 5,000 rows × 50 columns', async () => {
    const keys = await textFields(50);
    const sensitive = await startImport(startBody(keys.map((k) => ({ column: k, target: k, sensitive: true })), 'wide_1', { batchSize: 1_000 }));
    const secretRows = Array.from({ length: 1_000 }, (_, r): BatchRow => ({ row: r + 1, values: keys.map((k) => `${k}-${r}-secret`) }));
    expect((await sendBatch(sensitive.id, 0, secretRows)).counts.inserted).toBe(1_000);

    const plain = await startImport(startBody(keys.map((k) => ({ column: k, target: k })), 'wide_1', { batchSize: 5_000 }));
    const plainRows = Array.from({ length: 5_000 }, (_, r): BatchRow => ({ row: r + 1, values: keys.map((k) => `${k}-${r}`) }));
    expect((await sendBatch(plain.id, 0, plainRows)).counts.inserted).toBe(5_000);
    expect((await ok<Audience>('GET', `/api/audiences/${plain.audienceId}`)).memberCount).toBe(5_000);
    await stillAnswers();
  });
});

describe('text that is not valid Unicode', () => {
  it('is refused with 400 and the path of the field; the import goes on with the next batch and finishes', async () => {
    const imp = await startImport(startBody([{ column: 'Email', target: 'email' }, { column: 'Name', target: 'first_name' }], 'Email'));
    const broken = await putBatch(imp.id, 0, rows(1, [['ok@example.com', 'Ada'], ['a\ud800b@example.com', 'Bob']]));
    expect(broken.status).toBe(400);
    expect((broken.body as unknown as Err).error).toEqual({
      code: 'validation_failed',
      message: expect.stringContaining('rows.1.values.0: contains a broken character'),
      details: [{ path: ['rows', 1, 'values', 0], message: expect.stringContaining('not valid Unicode') }],
    });
    const next = await sendBatch(imp.id, 0, rows(1, [['ok@example.com', 'Ada'], ['b@example.com', 'B\udc00ob'.replace('\udc00', '😀')]]));
    expect(next.counts.inserted).toBe(2);
    expect((await ok<ImportSummary>('POST', `/api/imports/${imp.id}/finish`)).status).toBe('completed');
  });

  it('is refused in any field of any body: names, headers, keys', async () => {
    const start = startBody([{ column: 'E\udfffmail', target: 'email' }], 'E\udfffmail');
    const res = await call<Err>('POST', '/api/imports', start);
    expect(res.status).toBe(400);
    expect((res.body.error.details as { path: unknown[] }[]).map((d) => d.path)).toEqual([
      ['source', 'headers', 0],
      ['mapping', 'columns', 0, 'column'],
      ['mapping', 'identifier'],
    ]);
    const audience = await call<Err>('POST', '/api/audiences', { name: 'x\ud800' });
    expect(audience.body.error.details).toEqual([{ path: ['name'], message: expect.stringContaining('not valid Unicode') }]);
  });
});

describe('NUL in an email', () => {
  it('rejects the row as invalid_email; nothing of it is stored', async () => {
    const imp = await startImport(startBody([{ column: 'Email', target: 'email' }], 'Email'));
    const result = await sendBatch(imp.id, 0, rows(1, [['a\u0000b@example.com'], ['c@example.com']]));
    expect(result.counts).toMatchObject({ inserted: 1, rejected: 1 });
    expect(result.errors).toEqual([expect.objectContaining({ row: 1, column: 'Email', code: 'invalid_email' })]);
  });
});
