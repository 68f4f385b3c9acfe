import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { BatchBody, StartImportBody, type ImportReport } from '../../shared/schema/imports.ts';
import { createAesGcm, readAesKey } from '../crypto/aesGcm.ts';
import { ApiError } from '../http/apiError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, jsonBodyWithConsent, paramsOf, queryOf } from '../http/validate.ts';
import { ingestBatch } from '../imports/ingestBatch.ts';
import { startImport } from '../imports/startImport.ts';
import { importErrorsPage } from '../store/importErrors.ts';
import { finishImport, getImport } from '../store/imports.ts';

// Far above a 5,000-row batch of ordinary width, well below the Workers request cap (100 MB).
const MAX_BATCH_BYTES = 50 * 1024 * 1024;

const BatchParams = z.object({ id: z.string(), seq: z.coerce.number().int().min(0) });
const ReportQuery = z.object({ limit: z.coerce.number().int().min(0).max(5_000).default(500) });

export const importsRoutes = new Hono<AppEnv>()
  .post('/', jsonBodyWithConsent(StartImportBody), async (c) => {
    const summary = await startImport(c.env.DB, c.var.workspaceId, c.req.valid('json'), new Date().toISOString());
    return c.json(summary, 201);
  })
  .get('/:id', async (c) => c.json((await getImport(c.env.DB, c.var.workspaceId, c.req.param('id'))).summary))
  .put(
    '/:id/batches/:seq',
    paramsOf(BatchParams),
    bodyLimit({
      maxSize: MAX_BATCH_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `a batch may be at most ${MAX_BATCH_BYTES / 1024 / 1024} MB; send fewer rows per batch`);
      },
    }),
    jsonBody(BatchBody),
    async (c) => {
      const { id, seq } = c.req.valid('param');
      const body = c.req.valid('json');
      if (body.seq !== seq) {
        throw new ApiError(400, 'validation_failed', `the body's seq (${body.seq}) differs from the URL's (${seq})`, [
          { path: ['seq'], message: `must equal ${seq}, the seq in the URL` },
        ]);
      }
      const aes = createAesGcm(readAesKey(c.env.ENCRYPTION_KEY));
      const ctx = { db: c.env.DB, aes, workspaceId: c.var.workspaceId, importId: id, now: () => new Date().toISOString() };
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
  });
