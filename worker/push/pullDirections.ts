import { cellsHeldBack, directedColumns } from '../../shared/crmExport/pullDirections.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import type { ImportPlan } from '../../shared/schema/importPlan.ts';
import type { BatchRow } from '../../shared/schema/imports.ts';
import { classifyRows } from '../imports/classifyRows.ts';
import type { SensitiveKeyOf } from '../imports/identifierKey.ts';
import { audienceRef, isoOf } from '../store/members.ts';
import { peopleTable } from './crmTargets.ts';
import { findExportSettings } from './pushDeps.ts';

export type PulledPage = {
  workspaceId: string;
  connectionId: string;
  kind: CrmKind;
  object: string;
  audienceId: string;
  plan: ImportPlan;
  keyOf: SensitiveKeyOf;
};

/**
 * A scheduled pull's rows with the cells left out that must keep the member's value (cellsHeldBack: `to_crm` fields,
 * and `two_way` fields the member changed after the record), so the batch merge keeps them. Only for the table the
 * connection's export writes people to; without export settings the rows pass unchanged.
 */
export async function holdBackPushedFields(db: D1Database, page: PulledPage, rows: readonly BatchRow[], recordModifiedAt: readonly (string | null)[]): Promise<BatchRow[]> {
  const settings = await findExportSettings(db, page.workspaceId, page.connectionId);
  if (!settings || peopleTable(page.kind, settings.people.target).object !== page.object) return [...rows];
  // The key field is how the row finds its member: it is never held back, whatever its export direction.
  const directed = directedColumns(page.plan.columns, settings.people.fields).filter((d) => d.index !== page.plan.identifierIndex);
  if (directed.length === 0 || rows.length === 0) return [...rows];
  const keyOfIndex = new Map(classifyRows(rows, page.plan, page.keyOf).accepted.map((r) => [r.index, r.key]));
  const { results } = await db
    .prepare(
      `SELECT m.identifier_key, ${isoOf('m.updated_at')} AS updated_at FROM json_each(?3) AS j CROSS JOIN member_records AS m
       WHERE m.audience_ref = ${audienceRef('?1', '?2')} AND m.identifier_key = j.value`,
    )
    .bind(page.workspaceId, page.audienceId, JSON.stringify([...new Set(keyOfIndex.values())]))
    .all<{ identifier_key: string; updated_at: string }>();
  const updatedAt = new Map(results.map((r) => [r.identifier_key, r.updated_at]));
  return rows.map((row, i) => {
    const key = keyOfIndex.get(i);
    const held = cellsHeldBack(directed, key === undefined ? null : (updatedAt.get(key) ?? null), recordModifiedAt[i] ?? null);
    return held.length === 0 ? row : { ...row, values: row.values.map((v, c) => (held.includes(c) ? '' : v)) };
  });
}
