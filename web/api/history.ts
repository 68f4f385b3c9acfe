import { hc } from 'hono/client';
import { ChangeHistoryPage, ChangeImpact, type ChangeSubjectKind } from '../../shared/schema/history.ts';
import type { EditSyncBody } from '../../shared/schema/syncs.ts';
import type { AppType } from '../../worker/app.ts';
import { type RequestOptions, sendChecked } from './request.ts';

const routes = hc<AppType>('/').api;
type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry'>;

/** The workspace's change history (GET /api/history), and the impact preview of a sync edit. */
export const historyApi = {
  list: (query: { kind?: ChangeSubjectKind; cursor?: string; limit?: number } = {}, o: CallOptions = {}) =>
    sendChecked(
      ChangeHistoryPage,
      (r) =>
        routes.history.$get(
          { query: { ...(query.kind ? { kind: query.kind } : {}), ...(query.cursor ? { cursor: query.cursor } : {}), ...(query.limit ? { limit: String(query.limit) } : {}) } },
          r,
        ),
      { ...o, idempotent: true },
    ),
  syncImpact: (syncId: string, body: EditSyncBody, o: CallOptions = {}) =>
    sendChecked(ChangeImpact, (r) => routes.syncs[':id'].impact.$post({ param: { id: encodeURIComponent(syncId) }, json: body }, r), { ...o, idempotent: true }),
};
