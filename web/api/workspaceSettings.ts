import { hc } from 'hono/client';
import { type EditWorkspaceSettingsBody, WorkspaceSettings } from '../../shared/schema/workspaceSettings.ts';
import type { AppType } from '../../worker/app.ts';
import { type RequestOptions, sendChecked } from './request.ts';

const routes = hc<AppType>('/').api.workspace;
type CallOptions = Pick<RequestOptions, 'signal' | 'onRetry'>;

/** The signed-in workspace's settings (GET/PUT /api/workspace/settings): every seat reads, admins change. */
export const workspaceSettingsApi = {
  get: (o: CallOptions = {}) => sendChecked(WorkspaceSettings, (r) => routes.settings.$get({}, r), { ...o, idempotent: true }),
  save: (body: EditWorkspaceSettingsBody, o: CallOptions = {}) =>
    sendChecked(WorkspaceSettings, (r) => routes.settings.$put({ json: body }, r), { ...o, idempotent: true }),
};
