import { env } from 'cloudflare:test';
import type { MemberPage } from '../../../shared/schema/audiences.ts';
import { ok, rows, sendBatch, startBody, startImport, type Column } from './api.ts';
import { membersBackToJson } from './jsonMembers.ts';

/** The statements of a migration, by its number. */
export function migrationQueries(number: string): string[] {
  const m = env.TEST_MIGRATIONS.find((x) => x.name.startsWith(`${number}_`));
  if (!m) throw new Error(`migration ${number} not found`);
  return m.queries;
}

export const runMigration = (number: string) => env.DB.batch(migrationQueries(number).map((q) => env.DB.prepare(q)));

/** A stored column (keyed by field number) as name-keyed JSON text, in the workspace `workspaceExpr`; `key`: what 0 stands for. */
export const namedColumn = (column: string, workspaceExpr: string, key = 'NULL') =>
  `(SELECT json_group_object(n.key, CASE WHEN d.type = 'integer' THEN ${key} ELSE d.value END) FROM json_each(${column}) AS d
    CROSS JOIN member_field_refs AS n WHERE n.workspace_id = ${workspaceExpr} AND n.ref = CAST(d.key AS INTEGER))`;

/**
 * Puts this D1 back into its shape before migration 0190 (member columns as name-keyed JSON text, 0140's view and
 * triggers, no member_field_refs), keeping every member and snapshot.
 */
export async function backToBefore0190(): Promise<void> {
  // Members the product wrote packed: first in 0190's JSON form, which is what the shape before 0190 came from.
  await membersBackToJson();
  const view0140 = migrationQueries('0140').filter((q) => /^\s*CREATE (VIEW|TRIGGER) members/.test(q));
  const memberWorkspace = '(SELECT workspace_id FROM audiences WHERE ref = member_records.audience_ref)';
  await env.DB.batch(
    [
      `UPDATE member_records SET attributes = ${namedColumn('attributes', memberWorkspace, 'identifier_key')},
         hashes = ${namedColumn('hashes', memberWorkspace, 'identifier_key')},
         sealed = ${namedColumn('sealed', memberWorkspace)}`,
      `UPDATE member_snapshots SET attributes = ${namedColumn('attributes', 'member_snapshots.workspace_id')},
         hashes = ${namedColumn('hashes', 'member_snapshots.workspace_id')}, sealed = ${namedColumn('sealed', 'member_snapshots.workspace_id')}`,
      'DROP TRIGGER members_insert',
      'DROP TRIGGER members_update',
      'DROP TRIGGER members_delete',
      'DROP VIEW members',
      'DROP TABLE member_field_refs',
      ...view0140,
    ].map((q) => env.DB.prepare(q)),
  );
}

/** An audience's first 100 members through the API, as a migration test compares them before and after. */
export const membersPageOf = (audienceId: string) => ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=100`);

/** One finished import of `values` (one batch) with these columns, the email column the identifier. */
export async function importRowsWith(columns: Column[], audience: { audienceId?: string; audienceName?: string }, values: string[][]) {
  const imp = await startImport(startBody(columns, 'Email', audience));
  await sendBatch(imp.id, 0, rows(1, values));
  await ok('POST', `/api/imports/${imp.id}/finish`);
  return imp;
}
