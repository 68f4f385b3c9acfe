import type { CrmFilter } from '../../shared/schema/crm.ts';
import type { SyncSettings } from '../../shared/schema/syncs.ts';

/**
 * How often an incremental run by query also pulls the ids of every matching record to find those gone. Daily: an
 * id pull costs a request per 2,000 (Salesforce) or 5,000 (Dataverse) records, so on a 100,000-record table run
 * every minute it would spend 72,000 API requests a day on records that mostly did not change (a Salesforce org has
 * 100,000 a day for everything); once a day costs 50, and a gone record leaves within a day.
 */
export const RECONCILE_EVERY_MS = 24 * 60 * 60 * 1000;

/** What a run's reconcile does: nothing, pull the ids and then sweep, or sweep at once (the run saw every record). */
export type ReconcileStart = 'skip' | 'ids' | 'sweep';

/**
 * Rules, in order:
 * 1. A full run read every record that matches: the links it did not see are records gone; sweep at once.
 * 2. An incremental run of a change feed (Dataverse change tracking) got the deletions with the changes: nothing.
 * 3. An incremental run by query sees neither records deleted for good (Dataverse without change tracking,
 *    Salesforce records purged from the recycle bin) nor records that left the sync's filters: once a day
 *    (RECONCILE_EVERY_MS since the last full comparison), it pulls the ids of the matching records, then sweeps.
 */
export function reconcileStart(p: { changedSince: string | null; pullMode: 'query' | 'track_changes' | null; reconciledAt: string | null; startedAt: string }): ReconcileStart {
  if (p.changedSince === null) return 'sweep';
  if (p.pullMode === 'track_changes') return 'skip';
  if (p.reconciledAt === null) return 'ids';
  return Date.parse(p.startedAt) - Date.parse(p.reconciledAt) >= RECONCILE_EVERY_MS ? 'ids' : 'skip';
}

/**
 * What the id pull asks for: the sync's filters, and its flag field true, since a record whose flag turned false
 * leaves the audience as a deleted one does.
 */
export function reconcileFilters(settings: Pick<SyncSettings, 'filters' | 'flagField'>): CrmFilter[] {
  return settings.flagField ? [...settings.filters, { field: settings.flagField, operator: 'equals', value: 'true' }] : [...settings.filters];
}
