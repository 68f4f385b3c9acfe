import { requiredNotCovered } from '../../shared/crmExport/checkExportSettings.ts';
import { companyObject, peopleObject } from '../../shared/crmExport/exportObjects.ts';
import type { ExportProblem, ExportSettings } from '../../shared/schema/crmExport.ts';
import type { CrmField, CrmKind } from '../../shared/schema/crm.ts';
import type { CrmWriter } from '../connectors/connector.ts';
import { openConnector, openWriter } from '../connectors/openConnector.ts';
import { providerOf } from '../connectors/registry.ts';
import { DomainError } from '../domainError.ts';
import { readExportSettings } from '../store/exportSettings.ts';

/**
 * What the push needs from the two pieces built beside it (issue 11): the connection's saved export settings and its
 * CRM writer (openWriter), in one file so the engine depends on them in one place.
 */

/** The connection's export settings as saved on its settings page (export_settings, one row per connection). */
export async function exportSettingsOf(db: D1Database, workspaceId: string, connectionId: string): Promise<ExportSettings> {
  const settings = await findExportSettings(db, workspaceId, connectionId);
  if (!settings) {
    throw new DomainError('not_found', 'This CRM connection has no export settings yet: an admin sets them up on the connection’s settings page first.', {
      connectionId,
    });
  }
  return settings;
}

/** The export settings of a connection, or null when none were saved (then nothing is written back). */
export async function findExportSettings(db: D1Database, workspaceId: string, connectionId: string): Promise<ExportSettings | null> {
  return (await readExportSettings(db, workspaceId, connectionId))?.settings ?? null;
}

export type OpenedPushWriter = { writer: CrmWriter; kind: CrmKind };

/** The connection's CrmWriter (its CRM's write endpoints, with the connector's token renewal and retries). */
export async function openPushWriter(env: Env, workspaceId: string, connectionId: string): Promise<OpenedPushWriter> {
  const opened = await openWriter(env, workspaceId, connectionId);
  if (!opened) throw new DomainError('not_found', 'no such CRM connection in this workspace', { connectionId });
  return { writer: opened.writer, kind: opened.connection.kind };
}

/**
 * The CRM fields required on create that the settings fill with nothing, against the CRM's live describe (the rule
 * the settings page checked when they were saved; the CRM may have made a field required since).
 */
export async function requiredNotCoveredNow(env: Env, workspaceId: string, connectionId: string, settings: ExportSettings): Promise<ExportProblem[]> {
  return (await describedNow(env, workspaceId, connectionId, settings)).requiredNotCovered;
}

/**
 * The people table's fields by the CRM's live describe, and the fields it requires on create that the settings fill
 * with nothing (requiredNotCoveredNow).
 */
export async function describedNow(
  env: Env,
  workspaceId: string,
  connectionId: string,
  settings: ExportSettings,
): Promise<{ peopleFields: CrmField[]; requiredNotCovered: ExportProblem[] }> {
  const opened = await openConnector(env, workspaceId, connectionId);
  if (!opened) throw new DomainError('not_found', 'no such CRM connection in this workspace', { connectionId });
  const kind = opened.connection.kind;
  const [people, companies] = await Promise.all([
    opened.connector.describe(peopleObject(kind, settings.people.target)),
    settings.companies ? opened.connector.describe(companyObject(kind)) : Promise.resolve(null),
  ]);
  const problems = requiredNotCovered(settings, {
    crmName: providerOf(kind)?.name ?? kind,
    people: { label: settings.people.target === 'lead' ? 'Leads' : 'Contacts', fields: people },
    companies: companies ? { label: 'Accounts', fields: companies } : null,
  });
  return { peopleFields: people, requiredNotCovered: problems };
}

/** Why a push cannot start while required fields are not covered, in a marketer's words (the problems as details). */
export function requiredNotCoveredError(problems: readonly ExportProblem[]): DomainError {
  return new DomainError(
    'export_settings_invalid',
    `Nothing was sent: ${problems.map((p) => p.message).join(' ')} An admin changes this on the connection’s integration settings.`,
    problems,
  );
}
