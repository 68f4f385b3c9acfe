import { z } from 'zod';
import { type CreateSyncBody, DeletedSync, type EditSyncBody, RunNowAnswer, Sync, SyncRun, SyncRunReport } from '../../shared/schema/syncs.ts';
import { request, type RequestOptions } from './request.ts';

type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry' | 'retry'>;
const SyncList = z.array(Sync);
const RunList = z.array(SyncRun);
const base = (id: string) => `/api/syncs/${encodeURIComponent(id)}`;

/** /api/syncs: audiences kept in step with a CRM table by the Worker. */
export const syncsApi = {
  list: (o: CallOptions = {}) => request(SyncList, '/api/syncs', { ...o, idempotent: true }),
  create: (body: CreateSyncBody, o: CallOptions = {}) => request(Sync, '/api/syncs', { ...o, method: 'POST', body }),
  edit: (id: string, body: EditSyncBody, o: CallOptions = {}) => request(Sync, base(id), { ...o, method: 'PUT', body }),
  // Pausing or resuming twice is the same as once.
  pause: (id: string, o: CallOptions = {}) => request(Sync, `${base(id)}/pause`, { ...o, method: 'POST', idempotent: true }),
  resume: (id: string, o: CallOptions = {}) => request(Sync, `${base(id)}/resume`, { ...o, method: 'POST', idempotent: true }),
  /** A second press while a run is going answers that run (started: false): never two runs at once. */
  runNow: (id: string, o: CallOptions = {}) => request(RunNowAnswer, `${base(id)}/runs`, { ...o, method: 'POST', idempotent: true }),
  /** Admins and the key contact; refused (409) while a run is going. The audience and its members stay. */
  remove: (id: string, o: CallOptions = {}) => request(DeletedSync, base(id), { ...o, method: 'DELETE', idempotent: true }),
  runs: (id: string, o: CallOptions = {}) => request(RunList, `${base(id)}/runs`, { ...o, idempotent: true }),
  report: (id: string, runId: string, o: CallOptions = {}) => request(SyncRunReport, `${base(id)}/runs/${encodeURIComponent(runId)}`, { ...o, idempotent: true }),
};
