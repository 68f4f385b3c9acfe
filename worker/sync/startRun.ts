import { MAX_BATCH_ROWS, type StartImportBody } from '../../shared/schema/imports.ts';
import { batchSealerFor } from '../crypto/batchSealer.ts';
import { keyedHasherFor } from '../crypto/keyedHash.ts';
import { ensureKeyedMembers } from '../crypto/keyedHashMigration.ts';
import { startImport } from '../imports/startImport.ts';
import { refreshPickLists, takeOwedFullPull } from './pickLists.ts';
import { claimSync, connectionKind, findRun, getSync, insertRunStatement, releaseSyncStatement, versionSettings } from './syncStore.ts';
import { changedSince, nextRunAt } from './updateCycle.ts';
import type { SyncRun } from '../../shared/schema/syncs.ts';
import { DomainError } from '../domainError.ts';
import { disabledReason } from '../connectors/store/crmConnections.ts';

export type StartedRun = { started: boolean; run: SyncRun };

/** What the run's durable executor is handed: enough to find everything else in D1. */
export type SyncRunParams = { workspaceId: string; runId: string };

/**
 * Starts a run of a sync with the version current now, unless one is going (then answers that one: runs of one
 * sync never overlap, and two triggers at the same moment start one run). The claim on the sync is one D1
 * statement; the run's import (where its rows, counts and report live, as for any import) is created after it,
 * and the claim is given back when that fails.
 */
export async function startRun(env: Env, workspaceId: string, syncId: string, trigger: 'schedule' | 'manual', now: Date): Promise<StartedRun> {
  const db = env.DB;
  const sync = await getSync(db, workspaceId, syncId);
  const disabled = await disabledReason(db, workspaceId, sync.connectionId);
  if (disabled) throw new DomainError('conflict', disabled, { connectionId: sync.connectionId, disabled: true });
  const runId = crypto.randomUUID();
  // Before the import fixes its plan, so the run judges values by the pick lists as the CRM has them now.
  await refreshPickLists(env, { workspaceId, syncId, connectionId: sync.connectionId, settings: sync.settings, now: now.toISOString() });
  if (!(await claimSync(db, workspaceId, syncId, runId))) {
    const running = await holdersRun(db, workspaceId, syncId);
    if (running) return { started: false, run: running };
    throw new DomainError('conflict', 'a run of this sync is starting; try again in a moment', { syncId });
  }
  const startedAt = now.toISOString();
  try {
    const claimed = await getSync(db, workspaceId, syncId);
    const settings = await versionSettings(db, workspaceId, syncId, claimed.version);
    const kind = await connectionKind(db, workspaceId, sync.connectionId);
    if (!kind) throw new DomainError('not_found', 'the CRM connection of this sync no longer exists', { connectionId: sync.connectionId });
    const body: StartImportBody = {
      audienceId: sync.audienceId,
      source: { kind, connectionId: sync.connectionId, object: settings.object, headers: settings.mapping.columns.map((c) => c.column) },
      mapping: settings.mapping,
      consent: { doubleOptIn: true },
      defaultCountry: settings.defaultCountry,
      batchSize: MAX_BATCH_ROWS,
    };
    const [seal, hasher] = await Promise.all([batchSealerFor(env.ENCRYPTION_KEY), keyedHasherFor(env.HASH_KEY)]);
    // As for any import: members stored before keyed hashes are re-keyed first (a no-op once done).
    await ensureKeyedMembers(db, hasher);
    const imported = await startImport(db, workspaceId, body, startedAt, seal, hasher);
    await insertRunStatement(db, workspaceId, {
      id: runId,
      syncId,
      version: claimed.version,
      importId: imported.id,
      trigger,
      changedSince: (await takeOwedFullPull(db, workspaceId, syncId)) ? null : changedSince(claimed.highWaterMark),
      now: startedAt,
    }).run();
    const params: SyncRunParams = { workspaceId, runId };
    await env.SYNC_RUNS.create({ id: runId, params });
  } catch (e) {
    await releaseSyncStatement(db, workspaceId, syncId, runId, null, nextRunAt(sync.settings.cycle, now), startedAt).run();
    throw e;
  }
  const run = await findRun(db, workspaceId, runId);
  if (!run) throw new Error(`run ${runId} vanished after its start`);
  return { started: true, run };
}

/**
 * The run of whoever holds the claim. The holder writes its run row only after creating the run's import, so a
 * trigger that lost the claim a moment earlier waits for that row (a short while) instead of refusing a caller
 * whose sync is in fact starting.
 */
async function holdersRun(db: D1Database, workspaceId: string, syncId: string): Promise<SyncRun | null> {
  for (let attempt = 0; attempt < 25; attempt++) {
    const holder = (await getSync(db, workspaceId, syncId)).runningRunId;
    if (!holder) return null;
    const running = await findRun(db, workspaceId, holder);
    if (running) return running;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return null;
}
