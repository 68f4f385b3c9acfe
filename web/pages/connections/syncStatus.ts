import type { Sync, UpdateCycle } from '../../../shared/schema/syncs.ts';
import { formatDate, plural } from '../formatting.ts';

/** `notice`: what the last (or the running) run did differently from what was asked, or '' when nothing. */
export type SyncStatus = { tone: 'ok' | 'info' | 'warn' | 'error' | 'muted'; badge: string; detail: string; notice: string };

export const CYCLE_WORDS: Record<UpdateCycle, string> = {
  manual: 'Manually, with “Run now”',
  daily: 'Every day',
  hourly: 'Every hour',
  every_15_minutes: 'Every 15 minutes',
  every_5_minutes: 'Every 5 minutes',
  every_minute: 'Every minute',
};

/** What the sync card says about a sync's health, in the marketer's words. */
export function syncStatus(sync: Sync): SyncStatus {
  return { ...healthWords(sync), notice: runNotice(sync) };
}

/**
 * The Worker words a run's notice for the marketer already ("…, so this run read every record again"); it sits under
 * the line about that run, except on a paused card, whose line is about the pause: there it says which run it means.
 */
function runNotice(sync: Sync): string {
  const text = sync.lastRun?.notice?.trim();
  if (!text || sync.health === 'never_run') return '';
  return sync.health === 'paused' ? `About the last run: ${text}` : text;
}

function healthWords(sync: Sync): Omit<SyncStatus, 'notice'> {
  const run = sync.lastRun;
  switch (sync.health) {
    case 'running':
      return { tone: 'info', badge: 'Running', detail: `Running now: ${plural(run?.pulled ?? 0, 'record')} read from the CRM so far.` };
    case 'needs_reconnect':
      return { tone: 'error', badge: 'Needs reconnect', detail: run?.error ?? 'The CRM no longer accepts this connection’s login. Reconnect it.' };
    case 'failing':
      return {
        tone: 'error',
        badge: `Failing since ${formatDate(sync.failingSince ?? run?.startedAt ?? '')}`,
        detail: run?.error ?? 'The last run did not finish.',
      };
    case 'paused':
      return { tone: 'muted', badge: 'Paused', detail: 'No runs until you resume it.' };
    case 'never_run':
      return { tone: 'muted', badge: 'Not run yet', detail: 'The first run brings in every record; later runs only what changed.' };
    case 'healthy': {
      if (!run) return { tone: 'ok', badge: 'Healthy', detail: '' };
      const c = run.counts;
      const parts = [`${plural(c.inserted, 'member')} added`, `${plural(c.updated, 'member')} updated`];
      if (run.removed) parts.push(`${plural(run.removed, 'member')} removed`);
      if (c.rejected) parts.push(`${plural(c.rejected, 'record')} rejected`);
      return { tone: 'ok', badge: 'Healthy', detail: `Last run ${formatDate(run.finishedAt ?? run.startedAt)}: ${parts.join(', ')}.` };
    }
  }
}

/** When the next run happens, or why there is none. */
export function nextRunWords(sync: Sync): string {
  if (sync.paused) return 'Paused';
  if (sync.settings.cycle === 'manual') return 'Not scheduled';
  if (!sync.nextRunAt) return 'After the current run';
  return Date.parse(sync.nextRunAt) <= Date.now() ? 'Within a minute' : formatDate(sync.nextRunAt);
}
