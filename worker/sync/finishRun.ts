import { finishImport } from '../store/imports.ts';
import type { RunError } from './runErrors.ts';
import { getRunRow, getSync, releaseSyncStatement } from './syncStore.ts';
import { nextHighWaterMark, nextRunAt } from './updateCycle.ts';

/**
 * Ends a run: closes its import, records the outcome and gives the sync back, scheduling the next run from this
 * one's start with the cycle current now (an edit made during the run counts). Only a successful run moves the
 * high-water mark. Idempotent: a finished run is left as it is.
 */
export async function finishRun(db: D1Database, workspaceId: string, runId: string, failure: RunError | null, now: Date): Promise<void> {
  const run = await getRunRow(db, workspaceId, runId);
  if (run.status !== 'running') return;
  const sync = await getSync(db, workspaceId, run.sync_id);
  const at = now.toISOString();
  await finishImport(db, workspaceId, run.import_id, at);
  const highWater = failure ? null : { mark: nextHighWaterMark(sync.highWaterMark, run.high_water_mark, run.started_at), version: run.version };
  // The change feed's delta link goes with the high-water mark: kept from a successful run of the current version only.
  const deltaLink = await db.prepare('SELECT delta_link FROM sync_runs WHERE workspace_id = ? AND id = ?').bind(workspaceId, runId).first<{ delta_link: string | null }>();
  await db.batch([
    ...(failure
      ? []
      : [
          db
            .prepare('UPDATE syncs SET delta_link = ? WHERE workspace_id = ? AND id = ? AND running_run_id = ? AND current_version = ?')
            .bind(deltaLink?.delta_link ?? null, workspaceId, run.sync_id, runId, run.version),
        ]),
    db
      .prepare(
        `UPDATE sync_runs SET status = ?, finished_at = ?, error_code = ?, error_message = ? WHERE workspace_id = ? AND id = ? AND status = 'running'`,
      )
      .bind(failure ? 'failed' : 'succeeded', at, failure?.code ?? null, failure?.message ?? null, workspaceId, runId),
    releaseSyncStatement(db, workspaceId, run.sync_id, runId, highWater, nextRunAt(sync.settings.cycle, new Date(run.started_at)), at),
  ]);
}
