import { hc } from 'hono/client';
import { z } from 'zod';
import { Audience, type CreateAudienceBody, MemberPage } from '../../shared/schema/audiences.ts';
import { type CreateFieldBody, Field } from '../../shared/schema/fields.ts';
import { BatchResult, type BatchBody, ImportReport, ImportSummary, type StartImportBody } from '../../shared/schema/imports.ts';
import { MappingTemplate, type SaveTemplateBody } from '../../shared/schema/mapping.ts';
import type { AppType } from '../../worker/app.ts';
import type { ErrorContext } from './apiError.ts';
import { type RequestOptions, sendChecked } from './request.ts';

const FieldList = z.array(Field);
const AudienceList = z.array(Audience);
/** The Worker keeps one template per header signature: zero or one match. */
const TemplateList = z.array(MappingTemplate);

/**
 * The Worker's routes as the compiler sees them: a path, method, parameter or body the Worker does not have does
 * not compile. Answers are still parsed with the shared schemas, since types do not check what arrives.
 */
const routes = hc<AppType>('/').api;

type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry'>;
// hc puts path parameters into the URL as they are.
const seg = encodeURIComponent;

export const api = {
  listFields: (o: CallOptions = {}) => sendChecked(FieldList, (r) => routes.fields.$get(undefined, r), { ...o, idempotent: true }),
  createField: (body: CreateFieldBody, o: CallOptions = {}) => sendChecked(Field, (r) => routes.fields.$post({ json: body }, r), o),

  listAudiences: (o: CallOptions = {}) => sendChecked(AudienceList, (r) => routes.audiences.$get(undefined, r), { ...o, idempotent: true }),
  createAudience: (body: CreateAudienceBody, o: CallOptions = {}) =>
    sendChecked(Audience, (r) => routes.audiences.$post({ json: body }, r), o),
  getAudience: (id: string, o: CallOptions = {}) =>
    sendChecked(Audience, (r) => routes.audiences[':id'].$get({ param: { id: seg(id) } }, r), { ...o, idempotent: true }),
  listMembers: (id: string, page: { cursor?: string | null; limit?: number }, o: CallOptions = {}) => {
    const query = { ...(page.cursor ? { cursor: page.cursor } : {}), ...(page.limit ? { limit: String(page.limit) } : {}) };
    return sendChecked(MemberPage, (r) => routes.audiences[':id'].members.$get({ param: { id: seg(id) }, query }, r), { ...o, idempotent: true });
  },

  /** The saved mapping for a file layout, or null when this layout was never imported. */
  findTemplate: async (signature: string, o: CallOptions = {}) =>
    (await sendChecked(TemplateList, (r) => routes.templates.$get({ query: { signature } }, r), { ...o, idempotent: true }))[0] ?? null,
  saveTemplate: (body: SaveTemplateBody, o: CallOptions = {}) =>
    sendChecked(MappingTemplate, (r) => routes.templates.$put({ json: body }, r), { ...o, idempotent: true }),
  getTemplate: (id: string, o: CallOptions = {}) =>
    sendChecked(MappingTemplate, (r) => routes.templates[':id'].$get({ param: { id: seg(id) } }, r), { ...o, idempotent: true }),

  startImport: (body: StartImportBody, o: CallOptions & { context?: ErrorContext } = {}) =>
    sendChecked(ImportSummary, (r) => routes.imports.$post({ json: body }, r), o),
  getImport: (id: string, o: CallOptions = {}) =>
    sendChecked(ImportSummary, (r) => routes.imports[':id'].$get({ param: { id: seg(id) } }, r), { ...o, idempotent: true }),
  /** Idempotent by design: the same seq and key is answered from the stored result, never applied twice. */
  putBatch: (id: string, body: BatchBody, o: CallOptions & { context?: ErrorContext } = {}) =>
    sendChecked(BatchResult, (r) => routes.imports[':id'].batches[':seq'].$put({ param: { id: seg(id), seq: String(body.seq) }, json: body }, r), {
      ...o,
      idempotent: true,
      timeoutMs: 120_000,
    }),
  /**
   * A batch whose body is already JSON bytes (a privacy-mode batch, sealed in a worker): every retry sends exactly
   * these bytes under their idempotency key, never a body sealed again differently.
   */
  putBatchBytes: (id: string, seq: number, body: Uint8Array<ArrayBuffer>, o: CallOptions & { context?: ErrorContext } = {}) =>
    sendChecked(
      BatchResult,
      ({ headers, init }) =>
        fetch(routes.imports[':id'].batches[':seq'].$path({ param: { id: seg(id), seq: String(seq) } }), { method: 'PUT', headers, body, ...init }),
      { ...o, idempotent: true, timeoutMs: 120_000 },
    ),
  finishImport: (id: string, o: CallOptions = {}) =>
    sendChecked(ImportSummary, (r) => routes.imports[':id'].finish.$post({ param: { id: seg(id) } }, r), { ...o, idempotent: true }),
  getReport: (id: string, o: CallOptions = {}) =>
    sendChecked(ImportReport, (r) => routes.imports[':id'].report.$get({ param: { id: seg(id) }, query: {} }, r), { ...o, idempotent: true }),
  reportCsvUrl: (id: string) => routes.imports[':id']['report.csv'].$path({ param: { id: seg(id) } }),
};
