import { startRun } from './startRun.ts';
import { dueSyncs } from './syncStore.ts';

// Per minute; more due syncs than this wait for the next minute, the oldest due first.
const MAX_STARTS_PER_TICK = 50;

/**
 * The Cron Trigger (every minute): starts a run of each sync that is due. A sync that is already running is
 * skipped by the claim in startRun, so two ticks at once start one run; one failing start does not stop the others.
 */
export async function startDueRuns(env: Env, now: Date): Promise<number> {
  let started = 0;
  for (const due of await dueSyncs(env.DB, now.toISOString(), MAX_STARTS_PER_TICK)) {
    try {
      if ((await startRun(env, due.workspaceId, due.id, 'schedule', now)).started) started++;
    } catch (e) {
      console.error('could not start a scheduled sync run', due.id, e);
    }
  }
  return started;
}
