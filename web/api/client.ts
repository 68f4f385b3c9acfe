import { z } from 'zod';
import { Audience, type CreateAudienceBody, MemberPage } from '../../shared/schema/audiences.ts';
import { type CreateFieldBody, Field } from '../../shared/schema/fields.ts';
import { BatchResult, type BatchBody, ImportReport, ImportSummary, type StartImportBody } from '../../shared/schema/imports.ts';
import { MappingTemplate, type SaveTemplateBody } from '../../shared/schema/mapping.ts';
import type { ErrorContext } from './apiError.ts';
import { request, type RequestOptions } from './request.ts';

const FieldList = z.array(Field);
const AudienceList = z.array(Audience);
/** The Worker keeps one template per header signature: zero or one match. */
const TemplateList = z.array(MappingTemplate);

type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry'>;
const seg = encodeURIComponent;

export const api = {
  listFields: (o: CallOptions = {}) => request(FieldList, '/api/fields', { ...o, idempotent: true }),
  createField: (body: CreateFieldBody, o: CallOptions = {}) => request(Field, '/api/fields', { ...o, method: 'POST', body }),

  listAudiences: (o: CallOptions = {}) => request(AudienceList, '/api/audiences', { ...o, idempotent: true }),
  createAudience: (body: CreateAudienceBody, o: CallOptions = {}) => request(Audience, '/api/audiences', { ...o, method: 'POST', body }),
  getAudience: (id: string, o: CallOptions = {}) => request(Audience, `/api/audiences/${seg(id)}`, { ...o, idempotent: true }),
  listMembers: (id: string, page: { cursor?: string | null; limit?: number }, o: CallOptions = {}) => {
    const query = new URLSearchParams();
    if (page.cursor) query.set('cursor', page.cursor);
    if (page.limit) query.set('limit', String(page.limit));
    return request(MemberPage, `/api/audiences/${seg(id)}/members?${query}`, { ...o, idempotent: true });
  },

  /** The saved mapping for a file layout, or null when this layout was never imported. */
  findTemplate: async (signature: string, o: CallOptions = {}) =>
    (await request(TemplateList, `/api/templates?signature=${seg(signature)}`, { ...o, idempotent: true }))[0] ?? null,
  saveTemplate: (body: SaveTemplateBody, o: CallOptions = {}) =>
    request(MappingTemplate, '/api/templates', { ...o, method: 'PUT', body, idempotent: true }),
  getTemplate: (id: string, o: CallOptions = {}) => request(MappingTemplate, `/api/templates/${seg(id)}`, { ...o, idempotent: true }),

  startImport: (body: StartImportBody, o: CallOptions & { context?: ErrorContext } = {}) =>
    request(ImportSummary, '/api/imports', { ...o, method: 'POST', body }),
  getImport: (id: string, o: CallOptions = {}) => request(ImportSummary, `/api/imports/${seg(id)}`, { ...o, idempotent: true }),
  /** Idempotent by design: the same seq and key is answered from the stored result, never applied twice. */
  putBatch: (id: string, body: BatchBody, o: CallOptions & { context?: ErrorContext } = {}) =>
    request(BatchResult, `/api/imports/${seg(id)}/batches/${body.seq}`, { ...o, method: 'PUT', body, idempotent: true, timeoutMs: 120_000 }),
  finishImport: (id: string, o: CallOptions = {}) =>
    request(ImportSummary, `/api/imports/${seg(id)}/finish`, { ...o, method: 'POST', idempotent: true }),
  getReport: (id: string, o: CallOptions = {}) => request(ImportReport, `/api/imports/${seg(id)}/report`, { ...o, idempotent: true }),
  reportCsvUrl: (id: string) => `/api/imports/${seg(id)}/report.csv`,
};
