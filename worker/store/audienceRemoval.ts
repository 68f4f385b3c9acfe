import { DomainError } from '../domainError.ts';
import { deleteSyncsOfAudienceStatements } from '../sync/syncStore.ts';
import { deleteDryRunsStatements } from './dryRuns.ts';
import { audienceRef } from './members.ts';

const importsOf = 'SELECT id FROM imports WHERE workspace_id = ?1 AND audience_id = ?2';

/** Renames; the audience must exist in the workspace. */
export async function renameAudience(db: D1Database, workspaceId: string, audienceId: string, name: string, now: string): Promise<void> {
  const result = await db
    .prepare('UPDATE audiences SET name = ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
    .bind(name, now, workspaceId, audienceId)
    .run();
  if (result.meta.changes === 0) throw new DomainError('not_found', 'audience not found', { audienceId });
}

/**
 * Removes an audience and everything that belongs to it — members, their snapshots, imports with their batches,
 * errors, undos and sealed batch keys, dry runs — in one transaction, children first (D1 enforces the foreign keys).
 */
export async function deleteAudience(db: D1Database, workspaceId: string, audienceId: string): Promise<{ members: number; imports: number }> {
  const counts = await db
    .prepare(
      `SELECT a.member_count AS members, (SELECT count(*) FROM imports WHERE workspace_id = ?1 AND audience_id = ?2) AS imports
       FROM audiences AS a WHERE a.workspace_id = ?1 AND a.id = ?2`,
    )
    .bind(workspaceId, audienceId)
    .first<{ members: number; imports: number }>();
  if (!counts) throw new DomainError('not_found', 'audience not found', { audienceId });
  const inImports = (table: string) =>
    db.prepare(`DELETE FROM ${table} WHERE workspace_id = ?1 AND import_id IN (${importsOf})`).bind(workspaceId, audienceId);
  await db.batch([
    ...deleteSyncsOfAudienceStatements(db, workspaceId, audienceId),
    inImports('member_snapshots'),
    inImports('import_undos'),
    inImports('import_errors'),
    inImports('import_batches'),
    // Privacy mode's per-batch ephemeral keys: nothing left that they open.
    inImports('sealed_batch_keys'),
    db.prepare(`DELETE FROM member_records WHERE audience_ref = ${audienceRef('?1', '?2')}`).bind(workspaceId, audienceId),
    db.prepare('DELETE FROM imports WHERE workspace_id = ?1 AND audience_id = ?2').bind(workspaceId, audienceId),
    ...deleteDryRunsStatements(db, workspaceId, audienceId),
    db.prepare('DELETE FROM audiences WHERE workspace_id = ?1 AND id = ?2').bind(workspaceId, audienceId),
  ]);
  return counts;
}

/** One member out, the count following in the same transaction; its snapshots go too (nothing to restore into). */
export async function deleteMember(db: D1Database, workspaceId: string, audienceId: string, memberId: number, now: string): Promise<void> {
  const results = await db.batch([
    db.prepare('DELETE FROM member_snapshots WHERE workspace_id = ? AND member_id = ?').bind(workspaceId, memberId),
    db
      .prepare(
        `UPDATE audiences SET member_count = member_count - 1, updated_at = ?4
         WHERE workspace_id = ?1 AND id = ?2 AND EXISTS (SELECT 1 FROM member_records WHERE id = ?3 AND audience_ref = ${audienceRef('?1', '?2')})`,
      )
      .bind(workspaceId, audienceId, memberId, now),
    db.prepare(`DELETE FROM member_records WHERE id = ?3 AND audience_ref = ${audienceRef('?1', '?2')}`).bind(workspaceId, audienceId, memberId),
  ]);
  if ((results[2]?.meta.changes ?? 0) === 0) throw new DomainError('not_found', 'member not found', { memberId: String(memberId) });
}
