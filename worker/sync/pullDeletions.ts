import { openConnector } from '../connectors/openConnector.ts';
import { DomainError } from '../domainError.ts';
import { removeDeletedRecords } from './recordLinks.ts';
import { getRunRow, getSync, versionSettings } from './syncStore.ts';

/**
 * The last step of an incremental run by query: records deleted in the CRM since the run's changed-since instant
 * (Salesforce's recycle bin, through queryAll) leave the audience by the sync's deletion rule. A change feed
 * (Dataverse change tracking) brings its deletions with its pages instead, and a full run has no "since". Safe to
 * run again: a member already removed or marked is not counted twice.
 */
export async function pullDeletions(env: Env, workspaceId: string, runId: string): Promise<number> {
  const db = env.DB;
  const run = await getRunRow(db, workspaceId, runId);
  const mode = await db.prepare('SELECT pull_mode FROM sync_runs WHERE workspace_id = ? AND id = ?').bind(workspaceId, runId).first<{ pull_mode: string | null }>();
  if (run.status !== 'running' || run.changed_since === null || mode?.pull_mode === 'track_changes') return 0;
  const sync = await getSync(db, workspaceId, run.sync_id);
  const settings = await versionSettings(db, workspaceId, run.sync_id, run.version);
  const opened = await openConnector(env, workspaceId, sync.connectionId);
  if (!opened) throw new DomainError('not_found', 'the CRM connection of this sync no longer exists', { connectionId: sync.connectionId });
  if (!opened.connector.deletedSince) return 0;
  const ids = await opened.connector.deletedSince(settings.object, run.changed_since);
  const scope = { workspaceId, connectionId: sync.connectionId, object: settings.object, audienceId: sync.audienceId };
  // Counted into the run with each chunk's removal (removeDeletedRecords), not after it: a step that dies between the
  // two would otherwise lose the count, its retry finding nothing left to remove.
  return removeDeletedRecords(db, scope, ids, settings.deletionRule, new Date().toISOString(), runId);
}
