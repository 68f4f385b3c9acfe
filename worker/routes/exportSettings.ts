import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { checkExportSettings, type PlatformField } from '../../shared/crmExport/checkExportSettings.ts';
import { companyObject, peopleObject } from '../../shared/crmExport/exportObjects.ts';
import { SaveExportSettingsBody, type CrmUser, type ExportSettings, type ExportSettingsAnswer } from '../../shared/schema/crmExport.ts';
import { openConnector, openWriter, type OpenedConnector } from '../connectors/openConnector.ts';
import { providerOf } from '../connectors/registry.ts';
import { DomainError } from '../domainError.ts';
import type { AppEnv } from '../http/appEnv.ts';
import { jsonBody, paramsOf } from '../http/validate.ts';
import { changeBy, recordChange } from '../history/recordChange.ts';
import { readExportSettings, saveExportSettingsStatement, sensitiveFieldKeys } from '../store/exportSettings.ts';
import { listFields } from '../store/fields.ts';

const ConnectionParams = z.object({ id: z.string().min(1).max(64) });

type Ctx = Context<AppEnv>;

/** The CRM's name as people know it ("Salesforce", "Dynamics 365"), from its provider. */
const crmNameOf = (connection: OpenedConnector['connection']): string => providerOf(connection.kind)?.name ?? connection.kind;

function notFound(id: string): DomainError {
  return new DomainError('not_found', `no connection ${id}`);
}

async function opened(c: Ctx, id: string): Promise<OpenedConnector> {
  const o = await openConnector(c.env, c.var.workspaceId, id);
  if (!o) throw notFound(id);
  return o;
}

/** The CRM's users, for owners: through the connection's writing side (CrmWriter.listUsers). */
async function crmUsersOf(c: Ctx, id: string): Promise<CrmUser[]> {
  const opened = await openWriter(c.env, c.var.workspaceId, id);
  if (!opened) throw notFound(id);
  return opened.writer.listUsers();
}

async function platformFields(c: Ctx): Promise<{ fields: PlatformField[]; sensitive: string[] }> {
  const [fields, sensitive] = await Promise.all([listFields(c.env.DB, c.var.workspaceId), sensitiveFieldKeys(c.env.DB, c.var.workspaceId)]);
  const sensitiveSet = new Set(sensitive);
  return { fields: fields.map((f) => ({ key: f.key, label: f.label, sensitive: sensitiveSet.has(f.key) })), sensitive };
}

/** The settings' problems against the CRM as it is now: its live describe of the tables they write, and its users. */
async function problemsOf(c: Ctx, { connector, connection }: OpenedConnector, settings: ExportSettings) {
  const people = peopleObject(connection.kind, settings.people.target);
  const [peopleFields, companyFields, users, platform] = await Promise.all([
    connector.describe(people),
    settings.companies ? connector.describe(companyObject(connection.kind)) : Promise.resolve(null),
    crmUsersOf(c, connection.id),
    platformFields(c),
  ]);
  return checkExportSettings(settings, {
    crmName: crmNameOf(connection),
    people: { label: settings.people.target === 'lead' ? 'Leads' : 'Contacts', fields: peopleFields },
    companies: companyFields ? { label: 'Accounts', fields: companyFields } : null,
    platformFields: platform.fields,
    crmUsers: users,
  });
}

async function answerOf(c: Ctx, connectionId: string): Promise<ExportSettingsAnswer> {
  const [stored, sensitive] = await Promise.all([readExportSettings(c.env.DB, c.var.workspaceId, connectionId), sensitiveFieldKeys(c.env.DB, c.var.workspaceId)]);
  return {
    settings: stored?.settings ?? null,
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
    sensitiveFields: sensitive,
  };
}

/**
 * /api/connections/:id/export-settings and /crm-users: how a connection writes members back to its CRM (issue 11).
 * Saving checks the settings against the CRM's live describe with the same checker the page runs while editing,
 * and saves nothing while any problem is left (422 `export_settings_invalid`, the problems in `details`).
 */
export const exportSettingsRoutes = new Hono<AppEnv>()
  .get('/:id/export-settings', paramsOf(ConnectionParams), async (c) => {
    const { id } = c.req.valid('param');
    const exists = await c.env.DB.prepare('SELECT 1 AS ok FROM crm_connections WHERE workspace_id = ? AND id = ?').bind(c.var.workspaceId, id).first();
    if (!exists) throw notFound(id);
    return c.json(await answerOf(c, id));
  })

  .put('/:id/export-settings', paramsOf(ConnectionParams), jsonBody(SaveExportSettingsBody), async (c) => {
    const { id } = c.req.valid('param');
    const { settings, baseVersion } = c.req.valid('json');
    const connector = await opened(c, id);
    const current = await readExportSettings(c.env.DB, c.var.workspaceId, id);
    const currentVersion = current?.version ?? 0;
    if (baseVersion != null && baseVersion !== currentVersion) {
      throw new DomainError('conflict', `${current?.updatedBy ?? 'Someone'} saved these settings in the meantime: reload them and make your changes again.`, {
        version: currentVersion,
      });
    }
    const problems = await problemsOf(c, connector, settings);
    if (problems.length) {
      const count = problems.length === 1 ? 'one problem' : `${problems.length} problems`;
      throw new DomainError('export_settings_invalid', `These settings do not fit ${crmNameOf(connector.connection)} yet (${count}); nothing was saved.`, problems);
    }
    const subject = {
      kind: 'export_settings' as const,
      id,
      label: `${crmNameOf(connector.connection)}${connector.connection.orgName ? ` · ${connector.connection.orgName}` : ''}`,
      connectionId: id,
    };
    const change = await changeBy(c, { subject, action: current ? 'updated' : 'created', before: current?.settings ?? null, after: settings });
    const saved = await saveExportSettingsStatement(c.env.DB, c.var.workspaceId, id, settings, currentVersion, change.actor.label, new Date().toISOString()).run();
    // Someone saved between our read and this write: theirs stays.
    if (!saved.meta.changes) throw new DomainError('conflict', 'These settings were saved by someone else in the meantime: reload them and make your changes again.');
    // Recorded after the save, not batched with it: the save is conditional on the version, and the history must
    // never hold an entry for a save that did not happen.
    await recordChange(c.env.DB, change);
    // Letting a sensitive field's values leave for the CRM is its own entry, so it stands out in the history.
    const before = new Set(current?.settings.sensitiveAllowed ?? []);
    const newlyAllowed = settings.sensitiveAllowed.filter((key) => !before.has(key));
    if (newlyAllowed.length) {
      await recordChange(c.env.DB, { ...change, action: 'sensitive_export_enabled', before: [...before], after: settings.sensitiveAllowed });
    }
    return c.json(await answerOf(c, id));
  })

  .get('/:id/crm-users', paramsOf(ConnectionParams), async (c) => {
    const users: CrmUser[] = await crmUsersOf(c, c.req.valid('param').id);
    return c.json(users);
  });
