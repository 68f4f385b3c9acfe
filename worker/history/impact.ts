import { describeChanges } from '../../shared/history/changeDiff.ts';
import { impactSummary } from '../../shared/history/impactSummary.ts';
import type { ChangeImpact, ChangeSubject, ImpactedAudience, ImpactedExportMapping, ImpactedSync, RemovedAttributeImpact } from '../../shared/schema/history.ts';
import { ImportMapping } from '../../shared/schema/mapping.ts';
import { withoutSecrets } from '../../shared/history/withoutSecrets.ts';
import { companyObject, peopleObject } from '../../shared/crmExport/exportObjects.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import { readExportSettings } from '../store/exportSettings.ts';

/**
 * What a change to an integration's table reaches, read before it is saved: the audiences filled from that
 * connection and table (imports record their source as { connectionId, object }; syncs name both), the syncs
 * using it, the export mappings sending it out, and how many members hold a value of each attribute that would
 * no longer be imported. Nothing here changes anything.
 */

/** A table of a connection: what imports, syncs and (later) export mappings are matched on. */
export type TableRef = { connectionId: string; object: string };

// Counting members holding a value reads each member of the audiences once (json_extract, no index): beyond this
// many members the preview says "the members that have them" instead of making Save wait.
const COUNT_MEMBERS_UP_TO = 500_000;

export async function audiencesFedBy(db: D1Database, workspaceId: string, table: TableRef): Promise<ImpactedAudience[]> {
  const { results } = await db
    .prepare(
      `WITH fed (audience_id, via) AS (
         SELECT DISTINCT audience_id, 'import' FROM imports
          WHERE workspace_id = ? AND json_extract(source, '$.connectionId') = ? AND json_extract(source, '$.object') = ?
         UNION
         SELECT s.audience_id, 'sync' FROM syncs s JOIN sync_versions v ON v.sync_id = s.id AND v.version = s.current_version
          WHERE s.workspace_id = ? AND s.connection_id = ? AND json_extract(v.settings, '$.object') = ?
       )
       SELECT a.id, a.name, a.member_count AS memberCount, group_concat(DISTINCT fed.via) AS via
       FROM fed JOIN audiences a ON a.id = fed.audience_id AND a.workspace_id = ?
       GROUP BY a.id ORDER BY a.name, a.id`,
    )
    .bind(workspaceId, table.connectionId, table.object, workspaceId, table.connectionId, table.object, workspaceId)
    .all<{ id: string; name: string; memberCount: number; via: string }>();
  return results.map((r) => ({ id: r.id, name: r.name, memberCount: r.memberCount, via: r.via.split(',').sort() as ImpactedAudience['via'] }));
}

export async function syncsUsing(db: D1Database, workspaceId: string, table: TableRef): Promise<ImpactedSync[]> {
  const { results } = await db
    .prepare(
      `SELECT s.id, s.name, s.audience_id AS audienceId, json_extract(v.settings, '$.cycle') AS cycle, s.paused
       FROM syncs s JOIN sync_versions v ON v.sync_id = s.id AND v.version = s.current_version
       WHERE s.workspace_id = ? AND s.connection_id = ? AND json_extract(v.settings, '$.object') = ?
       ORDER BY s.name, s.id`,
    )
    .bind(workspaceId, table.connectionId, table.object)
    .all<{ id: string; name: string; audienceId: string; cycle: string; paused: number }>();
  return results.map((r) => ({ ...r, paused: r.paused === 1, scheduled: r.paused === 0 && r.cycle !== 'manual' }));
}

/**
 * The export mappings that send data back into this table: the connection's export settings (issue 11) write
 * people to Contacts or Leads and companies to Accounts; a change to that table's attributes can break them.
 */
const mappedFields = (n: number) => `${n} mapped field${n === 1 ? '' : 's'}`;

export async function exportMappingsUsing(db: D1Database, workspaceId: string, table: TableRef): Promise<ImpactedExportMapping[]> {
  const kind = await db
    .prepare('SELECT kind FROM crm_connections WHERE workspace_id = ? AND id = ?')
    .bind(workspaceId, table.connectionId)
    .first<{ kind: CrmKind }>();
  const stored = kind ? await readExportSettings(db, workspaceId, table.connectionId) : null;
  if (!kind || !stored) return [];
  const { people, companies } = stored.settings;
  const mappings: ImpactedExportMapping[] = [];
  if (peopleObject(kind.kind, people.target) === table.object) {
    mappings.push({ id: `${table.connectionId}:people`, name: `Sync to CRM: members as ${table.object} records (${mappedFields(people.fields.length)})` });
  }
  if (companies && companyObject(kind.kind) === table.object) {
    mappings.push({ id: `${table.connectionId}:companies`, name: `Sync to CRM: companies as ${table.object} records (${mappedFields(companies.fields.length)})` });
  }
  return mappings;
}

/**
 * Which audience field each CRM attribute was imported into, from the mappings of the imports and syncs of this
 * table: a sync's columns are the attributes' API names, an import's are the headers the pull gave them (the
 * field's label, so `labels` translates). The latest mapping wins.
 */
export async function fieldsImportedFrom(db: D1Database, workspaceId: string, table: TableRef, labels: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const { results } = await db
    .prepare(
      `SELECT mapping, created_at AS at FROM imports
        WHERE workspace_id = ? AND json_extract(source, '$.connectionId') = ? AND json_extract(source, '$.object') = ?
       UNION ALL
       SELECT json_extract(v.settings, '$.mapping'), v.created_at FROM syncs s JOIN sync_versions v ON v.sync_id = s.id AND v.version = s.current_version
        WHERE s.workspace_id = ? AND s.connection_id = ? AND json_extract(v.settings, '$.object') = ?
       ORDER BY at`,
    )
    .bind(workspaceId, table.connectionId, table.object, workspaceId, table.connectionId, table.object)
    .all<{ mapping: string }>();
  const byHeader = new Map<string, string>();
  for (const r of results) {
    const parsed = ImportMapping.safeParse(JSON.parse(r.mapping));
    if (!parsed.success) continue;
    for (const c of parsed.data.columns) if (c.target !== null) byHeader.set(c.column, c.target);
  }
  const byAttribute = new Map<string, string>();
  for (const [header, target] of byHeader) byAttribute.set(header, target);
  for (const [attribute, label] of labels) {
    const target = byHeader.get(label);
    if (target !== undefined && !byAttribute.has(attribute)) byAttribute.set(attribute, target);
  }
  return byAttribute;
}

/** Members of these audiences holding a value of the field (plain, or sealed for a sensitive field); null when not counted. */
export async function membersHolding(db: D1Database, workspaceId: string, audiences: readonly ImpactedAudience[], fieldKey: string): Promise<number | null> {
  if (audiences.length === 0) return 0;
  if (audiences.reduce((n, a) => n + a.memberCount, 0) > COUNT_MEMBERS_UP_TO) return null;
  const path = `$."${fieldKey.replaceAll('"', '')}"`;
  const row = await db
    .prepare(
      `SELECT count(*) AS n FROM members WHERE workspace_id = ? AND audience_id IN (SELECT value FROM json_each(?))
         AND (json_extract(attributes, ?) IS NOT NULL OR json_extract(hashes, ?) IS NOT NULL)`,
    )
    .bind(workspaceId, JSON.stringify(audiences.map((a) => a.id)), path, path)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** The preview of a change of attributes (and settings) of a table, for a table config or a sync. */
export async function changeImpact(
  db: D1Database,
  workspaceId: string,
  p: {
    subject: ChangeSubject & { connectionId: string };
    object: string;
    before: unknown;
    after: unknown;
    attributesBefore: readonly string[];
    attributesAfter: readonly string[];
    /** The audiences reached: every one fed by the table, or a sync's own. */
    audiences: ImpactedAudience[];
    syncs: ImpactedSync[];
    /** CRM attribute → label, when the CRM could tell (imports name columns by label). */
    labels: ReadonlyMap<string, string>;
  },
): Promise<ChangeImpact> {
  const table = { connectionId: p.subject.connectionId, object: p.object };
  const after = new Set(p.attributesAfter);
  const before = new Set(p.attributesBefore);
  const removedNames = p.attributesBefore.filter((a) => !after.has(a));
  const fields = removedNames.length ? await fieldsImportedFrom(db, workspaceId, table, p.labels) : new Map<string, string>();
  const attributesRemoved: RemovedAttributeImpact[] = [];
  for (const attribute of removedNames) {
    const fieldKey = fields.get(attribute) ?? null;
    attributesRemoved.push({ attribute, fieldKey, membersWithValue: fieldKey === null ? null : await membersHolding(db, workspaceId, p.audiences, fieldKey) });
  }
  const impact: Omit<ChangeImpact, 'summary'> = {
    subject: { ...p.subject, connectionId: p.subject.connectionId },
    object: p.object,
    changes: describeChanges(withoutSecrets(p.before), withoutSecrets(p.after)),
    attributesAdded: p.attributesAfter.filter((a) => !before.has(a)),
    attributesRemoved,
    audiences: p.audiences,
    totalMembers: p.audiences.reduce((n, a) => n + a.memberCount, 0),
    syncs: p.syncs,
    exportMappings: await exportMappingsUsing(db, workspaceId, table),
  };
  return { ...impact, summary: impactSummary(impact) };
}
