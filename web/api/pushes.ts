import type { PushRequest } from '../../shared/schema/crmExport.ts';
import { Push, PushPreview, PushReport } from '../../shared/schema/crmPush.ts';
import { request, type RequestOptions } from './request.ts';

type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry' | 'retry'>;
const base = (id: string) => `/api/pushes/${encodeURIComponent(id)}`;

/** /api/pushes: "Sync to CRM" — preview, start, progress and report of writing members back to a CRM. */
export const pushesApi = {
  // A preview reads and changes nothing: safe to retry.
  preview: (body: PushRequest, o: CallOptions = {}) => request(PushPreview, '/api/pushes/preview', { ...o, method: 'POST', body, idempotent: true, timeoutMs: 300_000 }),
  start: (body: PushRequest, o: CallOptions = {}) => request(Push, '/api/pushes', { ...o, method: 'POST', body }),
  get: (id: string, o: CallOptions = {}) => request(Push, base(id), { ...o, idempotent: true }),
  report: (id: string, o: CallOptions = {}) => request(PushReport, `${base(id)}/report?limit=500`, { ...o, idempotent: true }),
  reportCsvUrl: (id: string) => `${base(id)}/report.csv`,
};
