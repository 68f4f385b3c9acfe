import { DomainError } from '../domainError.ts';
import { claimSync, deleteSyncStatements, type StoredSync } from './syncStore.ts';

/**
 * Deletes a sync unless a run of it is going: refused (conflict), not cancelled, because a run's steps write the
 * run's pages, cursors and links as they go, and cutting one off mid-page would leave the audience with a part of a
 * page and the Workflow retrying against rows that are gone; a run ends within minutes on its own. The refusal and
 * the deletion cannot race a starting run: the deletion first takes the sync's no-overlap claim (as a run would), so
 * no run starts meanwhile, and gives it back if the deletion fails. `withDeletion`: statements to commit with it
 * (the change history entry).
 */
export async function deleteSync(db: D1Database, workspaceId: string, sync: StoredSync, withDeletion: readonly D1PreparedStatement[]): Promise<void> {
  const claim = `deleting-${crypto.randomUUID()}`;
  if (!(await claimSync(db, workspaceId, sync.id, claim))) {
    throw new DomainError('conflict', 'This sync is running. Delete it once the run has ended.', { syncId: sync.id, running: true });
  }
  try {
    await db.batch([...deleteSyncStatements(db, workspaceId, sync), ...withDeletion]);
  } catch (e) {
    await db.prepare('UPDATE syncs SET running_run_id = NULL WHERE workspace_id = ? AND id = ? AND running_run_id = ?').bind(workspaceId, sync.id, claim).run();
    throw e;
  }
}
