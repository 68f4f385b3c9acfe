import type { UpdateCycle } from '../../shared/schema/syncs.ts';

const MINUTE = 60_000;
const INTERVAL_MS: Record<Exclude<UpdateCycle, 'manual'>, number> = {
  daily: 24 * 60 * MINUTE,
  hourly: 60 * MINUTE,
  every_15_minutes: 15 * MINUTE,
  every_5_minutes: 5 * MINUTE,
  every_minute: MINUTE,
};

/**
 * When a sync is next due after a run that started at `from` (or after it was created/resumed), or null for a
 * manual sync. Counted from the start, not the end, so a 5-minute sync whose runs take a minute still runs every
 * 5 minutes; floored to the minute because the Cron Trigger fires once a minute and compares with `<=`.
 */
export function nextRunAt(cycle: UpdateCycle, from: Date): string | null {
  if (cycle === 'manual') return null;
  const at = Math.floor((from.getTime() + INTERVAL_MS[cycle]) / MINUTE) * MINUTE;
  return new Date(at).toISOString();
}

/** Clock skew between the CRM and us, and a stamp written while a page was read, cost nothing within this window. */
export const OVERLAP_WINDOW_MS = 5 * MINUTE;

/**
 * The instant the next incremental run asks "changed after": the last run's largest modification stamp, but never
 * later than when that run started (a record changed during the run, on a page already read, has a stamp after the
 * start and must come again), minus the overlap window. Records pulled twice are merged by their key field.
 */
export function changedSince(highWaterMark: string | null): string | null {
  if (highWaterMark === null) return null;
  return new Date(Date.parse(highWaterMark) - OVERLAP_WINDOW_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The high-water mark a successful run leaves: min(largest stamp seen, run start); the earlier mark when it saw nothing. */
export function nextHighWaterMark(previous: string | null, largestSeen: string | null, runStartedAt: string): string | null {
  if (largestSeen === null) return previous;
  return Date.parse(largestSeen) < Date.parse(runStartedAt) ? new Date(Date.parse(largestSeen)).toISOString() : runStartedAt;
}

/** The later of two modification stamps (vendors write them differently: "+0000", "Z", with or without ms). */
export function laterStamp(a: string | null, b: string | null): string | null {
  if (a === null || Number.isNaN(Date.parse(normalizeStamp(a)))) return b === null ? null : normalizeStamp(b);
  if (b === null || Number.isNaN(Date.parse(normalizeStamp(b)))) return normalizeStamp(a);
  return Date.parse(normalizeStamp(a)) >= Date.parse(normalizeStamp(b)) ? normalizeStamp(a) : normalizeStamp(b);
}

/** Salesforce writes "2026-11-29T08:00:00.000+0000", which Date.parse does not read everywhere. */
export function normalizeStamp(stamp: string): string {
  const iso = stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? stamp : new Date(ms).toISOString();
}
