import { z } from 'zod';
import {
  Audience,
  DeletedAudience,
  DryRun,
  type DryRunBatchBody,
  ImportHistoryEntry,
  MemberPage,
  type MemberFilters,
  type StartDryRunBody,
  UndoResult,
} from '../../shared/schema/audiences.ts';
import { request, type RequestOptions } from './request.ts';

const History = z.array(ImportHistoryEntry);

type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry'>;
const seg = encodeURIComponent;
const base = (id: string) => `/api/audiences/${seg(id)}`;

/** /api/audiences beyond listing: history, undo, dry runs, search, actions and exports. */
export const audiencesApi = {
  members: (id: string, page: { cursor?: string | null; limit?: number } & MemberFilters, o: CallOptions = {}) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(page)) if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
    return request(MemberPage, `${base(id)}/members?${query}`, { ...o, idempotent: true });
  },
  history: (id: string, o: CallOptions = {}) => request(History, `${base(id)}/imports`, { ...o, idempotent: true }),
  undo: (id: string, importId: string, chain: boolean, o: CallOptions = {}) =>
    request(UndoResult, `${base(id)}/imports/${seg(importId)}/undo`, { ...o, method: 'POST', body: { chain } }),
  rename: (id: string, name: string, o: CallOptions = {}) => request(Audience, base(id), { ...o, method: 'PATCH', body: { name }, idempotent: true }),
  remove: (id: string, o: CallOptions = {}) => request(DeletedAudience, base(id), { ...o, method: 'DELETE' }),
  removeMember: (id: string, memberId: string, o: CallOptions = {}) =>
    request(Audience, `${base(id)}/members/${seg(memberId)}`, { ...o, method: 'DELETE' }),
  exportUrl: (id: string, format: 'csv' | 'customer_match') => `${base(id)}/export.csv${format === 'csv' ? '' : `?format=${format}`}`,

  startDryRun: (body: StartDryRunBody, o: CallOptions = {}) => request(DryRun, '/api/audiences/dry-runs', { ...o, method: 'POST', body }),
  dryRunBatch: (dryRunId: string, body: DryRunBatchBody, o: CallOptions = {}) =>
    request(DryRun, `/api/audiences/dry-runs/${seg(dryRunId)}/batches/${body.seq}`, { ...o, method: 'PUT', body, timeoutMs: 120_000 }),
};
