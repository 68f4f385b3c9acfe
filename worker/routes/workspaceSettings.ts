import { Hono } from 'hono';
import { EditWorkspaceSettingsBody, type WorkspaceSettings } from '../../shared/schema/workspaceSettings.ts';
import { changeBy, changeStatement } from '../history/recordChange.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody } from '../http/validate.ts';
import { readWorkspaceSettings, saveWorkspaceSettingsStatement } from '../store/workspaceSettings.ts';

/**
 * The settings of the workspace the request acts for (never one named in the URL): every seat reads them (the import
 * page pre-selects the privacy default), admins and the key contact change them (worker/auth/routeRoles.ts), each
 * change recorded in the change history in the same transaction.
 */
export const workspaceSettingsRoutes = new Hono<AppEnv>()
  .get('/settings', async (c) => c.json(await readWorkspaceSettings(c.env.DB, c.var.workspaceId)))
  .put('/settings', jsonBody(EditWorkspaceSettingsBody), async (c) => {
    const { privacyDefault } = c.req.valid('json');
    const before = await readWorkspaceSettings(c.env.DB, c.var.workspaceId);
    // Saving what is already there changes nothing and records nothing.
    if (before.privacyDefault === privacyDefault) return c.json(before);
    const change = await changeBy(c, {
      subject: { kind: 'workspace_settings', id: c.var.workspaceId, label: 'Workspace settings' },
      action: 'updated',
      before: { privacyDefault: before.privacyDefault },
      after: { privacyDefault },
    });
    const at = new Date().toISOString();
    await c.env.DB.batch([
      saveWorkspaceSettingsStatement(c.env.DB, c.var.workspaceId, privacyDefault, change.actor.label, at),
      changeStatement(c.env.DB, change, at),
    ]);
    const saved: WorkspaceSettings = { privacyDefault, updatedAt: at, updatedBy: change.actor.label };
    return c.json(saved);
  });
