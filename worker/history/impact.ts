import { describeChanges } from '../../shared/history/changeDiff.ts';
import { impactSummary } from '../../shared/history/impactSummary.ts';
import type { ChangeImpact, ChangeSubject, ImpactedAudience, ImpactedExportMapping, ImpactedSync, RemovedAttributeImpact } from '../../shared/schema/history.ts';
import { ImportMapping } from '../../shared/schema/mapping.ts';
import { withoutSecrets } from '../../shared/history/withoutSecrets.ts';
import { companyObject, peopleObject } from '../../shared/crmExport/exportObjects.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import { readExportSettings } from '../store/exportSettings.ts';
import { PackWriter } from '../store/packedColumns.ts';
import { MemberDecoder, type StoredMemberColumns } from '../store/storedMembers.ts';

/**
 * What a change to an integration's table reaches, read before it is saved: the audiences filled from that
 * connection and table (imports record their source as { connectionId, object }; syncs name both), the syncs
 * using it, the export mappings sending it out, and how many members hold a value of each attribute that would
 * no longer be imported. Nothing here changes anything.
 */

/** A table of a connection: what imports, syncs and (later) export mappings are matched on. */
export type TableRef = { connectionId: string; object: string };

// Counting members holding a value reads each member of the audiences once (json_extract or decoding, no index): beyond this
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
  const found = await db.prepare('SELECT ref FROM member_field_refs WHERE workspace_id = ? AND key = ?').bind(workspaceId, fieldKey).first<{ ref: number }>();
  // No number: no member has ever stored a value of the field.
  if (!found) return 0;
  const refBytes = new PackWriter();
  refBytes.varint(found.ref);
  const inAudiences = `audience_ref IN (SELECT ref FROM audiences WHERE workspace_id = ?1 AND id IN (SELECT value FROM json_each(?2)))`;
  const audienceIds = JSON.stringify(audiences.map((a) => a.id));
  // JSON rows (migration 0190's form) are counted by SQL; a packed row only by decoding it (SQL cannot read varints).
  // Its bytes must contain the field's number to hold it, which leaves few to decode when few hold the field.
  const json = await db
    .prepare(
      `SELECT count(*) AS n FROM member_records WHERE ${inAudiences} AND typeof(attributes) = 'text' AND typeof(hashes) = 'text'
         AND (json_extract(attributes, ?3) IS NOT NULL OR json_extract(hashes, ?3) IS NOT NULL)`,
    )
    .bind(workspaceId, audienceIds, `$."${found.ref}"`)
    .first<{ n: number }>();
  let n = json?.n ?? 0;
  const decoder = new MemberDecoder(db, workspaceId);
  for (let after = 0; ; ) {
    const { results } = await db
      .prepare(
        `SELECT id, identifier_key, attributes, hashes, '{}' AS sealed FROM member_records
         WHERE ${inAudiences} AND id > ?4 AND (typeof(attributes) = 'blob' OR typeof(hashes) = 'blob')
           AND (instr(attributes, unhex(?3)) > 0 OR instr(hashes, unhex(?3)) > 0 OR typeof(attributes) = 'text' OR typeof(hashes) = 'text')
         ORDER BY id LIMIT ?5`,
      )
      .bind(workspaceId, audienceIds, refBytes.toHex(), after, PACKED_PAGE)
      .all<StoredMemberColumns>();
    for (const v of await decoder.decode(results)) if (fieldKey in v.attributes || fieldKey in v.hashes) n++;
    const last = results.at(-1);
    if (!last || results.length < PACKED_PAGE) return n;
    after = last.id;
  }
}

// Packed members decoded per query when counting.
const PACKED_PAGE = 5_000;

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
