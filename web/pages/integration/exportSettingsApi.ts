import { hc } from 'hono/client';
import { z } from 'zod';
import { CrmUser, ExportSettingsAnswer, type SaveExportSettingsBody } from '../../../shared/schema/crmExport.ts';
import type { AppType } from '../../../worker/app.ts';
import { sendChecked } from '../../api/request.ts';

const routes = hc<AppType>('/').api.connections;
const connection = (id: string) => ({ param: { id: encodeURIComponent(id) } });
const UserList = z.array(CrmUser);

/** /api/connections/:id/export-settings and /crm-users: how a connection writes back to its CRM. */
export const exportSettingsApi = {
  get: (id: string) => sendChecked(ExportSettingsAnswer, (r) => routes[':id']['export-settings'].$get(connection(id), r), { idempotent: true }),
  /** A 422 `export_settings_invalid` carries the problems (ExportProblem[]) in its details. */
  save: (id: string, body: SaveExportSettingsBody) =>
    sendChecked(ExportSettingsAnswer, (r) => routes[':id']['export-settings'].$put({ ...connection(id), json: body }, r), { idempotent: true }),
  crmUsers: (id: string) => sendChecked(UserList, (r) => routes[':id']['crm-users'].$get(connection(id), r), { idempotent: true }),
};
