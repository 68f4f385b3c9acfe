import { Hono } from 'hono';
import { z } from 'zod';
import { isPlainlyValidBatchBody } from '../../shared/schema/batchBodyCheck.ts';
import { BatchBody, StartImportBody, type ImportReport } from '../../shared/schema/imports.ts';
import { batchSealerFor } from '../crypto/batchSealer.ts';
import { keyedHasherFor } from '../crypto/keyedHash.ts';
import { ensureKeyedMembers } from '../crypto/keyedHashMigration.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, jsonBodyWithConsent, paramsOf, queryOf } from '../http/validate.ts';
import { ingestBatch } from '../imports/ingestBatch.ts';
import { startImport } from '../imports/startImport.ts';
import { CSV_BOM, reportCsvLines } from '../../shared/report/reportCsv.ts';
import { importErrorsPage, type ErrorCursor } from '../store/importErrors.ts';
import { finishImport, getImport } from '../store/imports.ts';

const BatchParams = z.object({ id: z.string(), seq: z.coerce.number().int().min(0) });
const ReportQuery = z.object({ limit: z.coerce.number().int().min(0).max(5_000).default(500) });
// Report CSV rows read per D1 query while streaming: memory stays flat however many rows were rejected.
const CSV_PAGE_ROWS = 2_000;

/** Every row error of an import as CSV (BOM + header first), streamed page by page in source order. */
function reportCsvStream(db: D1Database, workspaceId: string, importId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: ErrorCursor | null = null;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      const page = await importErrorsPage(db, workspaceId, importId, CSV_PAGE_ROWS, after);
      let text = '';
      let header = true;
      for (const line of reportCsvLines(page.errors)) {
        if (!header || !started) text += line;
        header = false;
      }
      controller.enqueue(encoder.encode(started ? text : CSV_BOM + text));
      started = true;
      after = page.next;
      if (!after) controller.close();
    },
  });
}

export const importsRoutes = new Hono<AppEnv>()
  .post('/', jsonBodyWithConsent(StartImportBody), async (c) => {
    const [seal, hasher] = await Promise.all([batchSealerFor(c.env.ENCRYPTION_KEY), keyedHasherFor(c.env.HASH_KEY)]);
    const summary = await startImport(c.env.DB, c.var.workspaceId, c.req.valid('json'), new Date().toISOString(), seal, hasher);
    return c.json(summary, 201);
  })
  .get('/:id', async (c) => c.json((await getImport(c.env.DB, c.var.workspaceId, c.req.param('id'))).summary))
  .put(
    '/:id/batches/:seq',
    paramsOf(BatchParams),
    jsonBody(BatchBody, isPlainlyValidBatchBody),
    async (c) => {
      const { id, seq } = c.req.valid('param');
      const body = c.req.valid('json');
      if (body.seq !== seq) {
        throw new DomainError('validation_failed', `the body's seq (${body.seq}) differs from the URL's (${seq})`, [
          { path: ['seq'], message: `must equal ${seq}, the seq in the URL` },
        ]);
      }
      const [seal, hasher] = await Promise.all([batchSealerFor(c.env.ENCRYPTION_KEY), keyedHasherFor(c.env.HASH_KEY)]);
      // Dedupe compares keyed hashes: members stored before them must be re-keyed first (a no-op once done).
      await ensureKeyedMembers(c.env.DB, hasher);
      const ctx = { db: c.env.DB, seal, hasher, workspaceId: c.var.workspaceId, importId: id, now: () => new Date().toISOString() };
      return c.json(await ingestBatch(ctx, body));
    },
  )
  .post('/:id/finish', async (c) =>
    c.json((await finishImport(c.env.DB, c.var.workspaceId, c.req.param('id'), new Date().toISOString())).summary),
  )
  .get('/:id/report', queryOf(ReportQuery), async (c) => {
    const record = await getImport(c.env.DB, c.var.workspaceId, c.req.param('id'));
    const { limit } = c.req.valid('query');
    const page = await importErrorsPage(c.env.DB, c.var.workspaceId, record.summary.id, limit, null);
    const report: ImportReport = { import: record.summary, errors: page.errors, totalErrors: record.errorCount };
    return c.json(report);
  })
  .get('/:id/report.csv', async (c) => {
    const { summary } = await getImport(c.env.DB, c.var.workspaceId, c.req.param('id'));
    return c.body(reportCsvStream(c.env.DB, c.var.workspaceId, summary.id), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="import-${summary.id}-report.csv"`,
      'cache-control': 'no-store',
    });
  });
