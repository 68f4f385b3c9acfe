import { hc } from 'hono/client';
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
import type { AppType } from '../../worker/app.ts';
import { type RequestOptions, sendChecked } from './request.ts';

const History = z.array(ImportHistoryEntry);
// Typed against the Worker's routes like web/api/client.ts: a path or body the Worker does not have does not compile.
const audiences = hc<AppType>('/').api.audiences;

type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry'>;
// hc puts path parameters into the URL as they are.
const seg = encodeURIComponent;

/** /api/audiences beyond listing: history, undo, dry runs, search, actions and exports. */
export const audiencesApi = {
  members: (id: string, page: { cursor?: string | null; limit?: number } & MemberFilters, o: CallOptions = {}) => {
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(page)) if (value !== undefined && value !== null && value !== '') query[key] = String(value);
    return sendChecked(MemberPage, (r) => audiences[':id'].members.$get({ param: { id: seg(id) }, query }, r), { ...o, idempotent: true });
  },
  history: (id: string, o: CallOptions = {}) =>
    sendChecked(History, (r) => audiences[':id'].imports.$get({ param: { id: seg(id) } }, r), { ...o, idempotent: true }),
  undo: (id: string, importId: string, chain: boolean, o: CallOptions = {}) =>
    sendChecked(UndoResult, (r) => audiences[':id'].imports[':importId'].undo.$post({ param: { id: seg(id), importId: seg(importId) }, json: { chain } }, r), o),
  rename: (id: string, name: string, o: CallOptions = {}) =>
    sendChecked(Audience, (r) => audiences[':id'].$patch({ param: { id: seg(id) }, json: { name } }, r), { ...o, idempotent: true }),
  remove: (id: string, o: CallOptions = {}) => sendChecked(DeletedAudience, (r) => audiences[':id'].$delete({ param: { id: seg(id) } }, r), o),
  removeMember: (id: string, memberId: string, o: CallOptions = {}) =>
    sendChecked(Audience, (r) => audiences[':id'].members[':memberId'].$delete({ param: { id: seg(id), memberId: seg(memberId) } }, r), o),
  exportUrl: (id: string, format: 'csv' | 'customer_match') =>
    audiences[':id']['export.csv'].$path({ param: { id: seg(id) }, query: format === 'csv' ? {} : { format } }),

  startDryRun: (body: StartDryRunBody, o: CallOptions = {}) => sendChecked(DryRun, (r) => audiences['dry-runs'].$post({ json: body }, r), o),
  dryRunBatch: (dryRunId: string, body: DryRunBatchBody, o: CallOptions = {}) =>
    sendChecked(
      DryRun,
      (r) => audiences['dry-runs'][':dryRunId'].batches[':seq'].$put({ param: { dryRunId: seg(dryRunId), seq: String(body.seq) }, json: body }, r),
      { ...o, timeoutMs: 120_000 },
    ),
};
