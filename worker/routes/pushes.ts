import { Hono } from 'hono';
import { z } from 'zod';
import { PushRequest } from '../../shared/schema/crmExport.ts';
import type { PushReport } from '../../shared/schema/crmPush.ts';
import { PUSH_REPORT_CSV_HEADER, pushReportCsvLine } from '../../shared/crmExport/pushReportCsv.ts';
import { CSV_BOM, csvLine } from '../../shared/report/reportCsv.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, queryOf } from '../http/validate.ts';
import { pushCompanyLines } from '../push/companyLinks.ts';
import { previewPush, startPush } from '../push/startPush.ts';
import { getPushRow, pushReportLines, toPush } from '../push/pushStore.ts';

const ReportQuery = z.object({
  /** Opaque: the member id of the last line of the previous page. */
  after: z.string().regex(/^\d{1,15}$/, 'not a cursor from this API').optional(),
  limit: z.coerce.number().int().min(1).max(5_000).default(500),
});

/** The report's lines read from D1 this many at a time while the CSV streams. */
const CSV_PAGE = 1_000;

export const pushesRoutes = new Hono<AppEnv>()
  .post('/preview', jsonBody(PushRequest), async (c) => c.json(await previewPush(c.env, c.var.workspaceId, c.req.valid('json'), c.var.userId)))
  .post('/', jsonBody(PushRequest), async (c) => c.json(await startPush(c.env, c.var.workspaceId, c.req.valid('json'), c.var.userId), 201))
  .get('/:id', async (c) => c.json(toPush(await getPushRow(c.env.DB, c.var.workspaceId, c.req.param('id')))))
  .get('/:id/report', queryOf(ReportQuery), async (c) => {
    const row = await getPushRow(c.env.DB, c.var.workspaceId, c.req.param('id'));
    const { after, limit } = c.req.valid('query');
    const push = toPush(row);
    const companies = await pushCompanyLines(c.env.DB, c.var.workspaceId, row.id);
    const body: PushReport = {
      push,
      lines: await pushReportLines(c.env.DB, c.var.workspaceId, row.id, Number(after ?? 0), limit),
      totalLines: push.done,
      companies: companies.lines,
      totalCompanies: companies.total,
    };
    return c.json(body);
  })
  .get('/:id/report.csv', async (c) => {
    const db = c.env.DB;
    const ws = c.var.workspaceId;
    const row = await getPushRow(db, ws, c.req.param('id'));
    const encoder = new TextEncoder();
    let after = 0;
    let started = false;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(`${CSV_BOM}${csvLine(PUSH_REPORT_CSV_HEADER)}`));
          return;
        }
        const lines = await pushReportLines(db, ws, row.id, after, CSV_PAGE);
        const text = lines.map(pushReportCsvLine).join('');
        if (text) controller.enqueue(encoder.encode(text));
        const last = lines.at(-1);
        if (!last || lines.length < CSV_PAGE) controller.close();
        else after = Number(last.memberId);
      },
    });
    return new Response(stream, {
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="push-${row.id}.csv"` },
    });
  });
