import { openConnector } from '../connectors/openConnector.ts';
import { DomainError } from '../domainError.ts';
import { markSeenStatements, removeDeletedRecords, unseenRecords, type LinkScope } from './recordLinks.ts';
import { reconcileFilters, reconcileStart } from './reconcilePlan.ts';
import { STEP_BUDGET, type StepBudget } from './storePages.ts';
import { getRunRow, getSync, versionSettings, type RunRow } from './syncStore.ts';

/** Links looked at per sweep transaction: the same chunk removeDeletedRecords works in. */
const SWEEP_CHUNK = 1000;

export type ReconcileOutcome = { done: boolean };

/**
 * One step of a run's reconcile, the last part of a successful pull: members whose records the CRM no longer has,
 * or no longer match the sync's selection, leave by the sync's deletion rule (reconcilePlan.ts says when). Each
 * record a run pulls marks its link as seen by the run; the id pull (`$select=<id>` / `SELECT Id`, paged) marks the
 * links of every record still matching; the sweep removes the members of links the run did not see. Durable like
 * the pages: each id page is marked with the cursor of the next one in one transaction, each sweep chunk removes and
 * counts in one (removeDeletedRecords), so a retried step or a restarted Worker goes on where D1 says, and the
 * Workflow calls this again until it answers done.
 */
export async function reconcileStep(env: Env, workspaceId: string, runId: string, budget: StepBudget = STEP_BUDGET): Promise<ReconcileOutcome> {
  const db = env.DB;
  let run = await getRunRow(db, workspaceId, runId);
  if (run.status !== 'running') return { done: true };
  const sync = await getSync(db, workspaceId, run.sync_id);
  if (run.reconcile === null) {
    const start = reconcileStart({ changedSince: run.changed_since, pullMode: run.pull_mode, reconciledAt: sync.reconciledAt, startedAt: run.started_at });
    await db.prepare('UPDATE sync_runs SET reconcile = ? WHERE workspace_id = ? AND id = ? AND reconcile IS NULL').bind(start, workspaceId, runId).run();
    run = await getRunRow(db, workspaceId, runId);
  }
  const settings = await versionSettings(db, workspaceId, run.sync_id, run.version);
  const scope: LinkScope = { workspaceId, connectionId: sync.connectionId, object: settings.object, audienceId: sync.audienceId };
  const startedAt = Date.now();
  const within = () => Date.now() - startedAt < budget.maxMs;

  if (run.reconcile === 'ids') {
    const pulled = await pullIds(env, run, scope, within);
    if (!pulled) return { done: false };
    run = await getRunRow(db, workspaceId, runId);
  }
  if (run.reconcile === 'sweep') {
    for (;;) {
      const gone = await unseenRecords(db, scope, runId, SWEEP_CHUNK);
      if (gone.length === 0) break;
      await removeDeletedRecords(db, scope, gone, settings.deletionRule, new Date().toISOString(), runId);
      if (!within()) return { done: false };
    }
    await db.batch([
      db.prepare("UPDATE sync_runs SET reconcile = 'done' WHERE workspace_id = ? AND id = ?").bind(workspaceId, runId),
      db.prepare('UPDATE syncs SET reconciled_at = ? WHERE workspace_id = ? AND id = ?').bind(run.started_at, workspaceId, run.sync_id),
    ]);
  }
  return { done: true };
}

/**
 * The id pull, from the page the run is at: true once the last page is marked (the run goes on to the sweep), false
 * when the step's time is up or another copy of the step moved the run on first.
 */
async function pullIds(env: Env, run: RunRow, scope: LinkScope, within: () => boolean): Promise<boolean> {
  const db = env.DB;
  const opened = await openConnector(env, run.workspace_id, scope.connectionId);
  if (!opened) throw new DomainError('not_found', 'the CRM connection of this sync no longer exists', { connectionId: scope.connectionId });
  const { connector } = opened;
  const settings = await versionSettings(db, run.workspace_id, run.sync_id, run.version);
  const idField = run.record_id_field ?? (connector.recordIdField ? await connector.recordIdField(settings.object) : null);
  if (!idField) {
    // A CRM that gives records no id has no links to sweep.
    await db.prepare("UPDATE sync_runs SET reconcile = 'done' WHERE workspace_id = ? AND id = ?").bind(run.workspace_id, run.id).run();
    return false;
  }
  const filters = reconcileFilters(settings);
  let seq = run.reconcile_seq;
  let cursor = run.reconcile_cursor;
  for (;;) {
    const page = await connector.page(settings.object, [idField], filters, seq === 0 ? null : cursor);
    const ids = page.records.map((r) => r[idField] ?? null);
    const results = await db.batch([
      ...markSeenStatements(db, scope, ids, run.id),
      // Only from the page this step read: a copy of the step that got there first keeps its place.
      db
        .prepare(
          `UPDATE sync_runs SET reconcile_seq = ?1 + 1, reconcile_cursor = ?2, reconcile = CASE WHEN ?2 IS NULL THEN 'sweep' ELSE 'ids' END
           WHERE workspace_id = ?3 AND id = ?4 AND reconcile = 'ids' AND reconcile_seq = ?1`,
        )
        .bind(seq, page.nextCursor, run.workspace_id, run.id),
    ]);
    if (results.at(-1)?.meta.changes !== 1) return false;
    if (page.nextCursor === null) return true;
    seq++;
    cursor = page.nextCursor;
    if (!within()) return false;
  }
}
