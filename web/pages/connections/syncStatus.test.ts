import { describe, expect, it } from 'vitest';
import type { Sync, SyncRun } from '../../../shared/schema/syncs.ts';
import { nextRunWords, syncStatus } from './syncStatus.ts';

const run = (over: Partial<SyncRun> = {}): SyncRun => ({
  id: 'r1',
  syncId: 's1',
  version: 1,
  importId: 'i1',
  trigger: 'schedule',
  status: 'succeeded',
  incremental: true,
  changedSince: null,
  pulled: 12,
  counts: { received: 12, inserted: 3, updated: 8, duplicates: 0, rejected: 1, skipped: 0 },
  removed: 2,
  errorCode: null,
  error: null,
  startedAt: '2026-11-29T08:00:00.000Z',
  finishedAt: '2026-11-29T08:00:05.000Z',
  ...over,
});

const sync = (over: Partial<Sync> = {}): Sync => ({
  id: 's1',
  connectionId: 'c1',
  audienceId: 'a1',
  version: 1,
  settings: {
    name: 'Contacts',
    object: 'Contact',
    filters: [],
    mapping: { columns: [{ column: 'Email', target: 'email', sensitive: false }], identifier: 'Email', onMatch: 'update' },
    cycle: 'hourly',
    deletionRule: 'remove_member',
    flagField: null,
    defaultCountry: 'US',
  },
  paused: false,
  consent: { confirmedBy: 'me', confirmedAt: '2026-11-29T07:00:00.000Z' },
  health: 'healthy',
  failingSince: null,
  lastRun: run(),
  nextRunAt: '2999-01-01T00:00:00.000Z',
  createdAt: '2026-11-29T07:00:00.000Z',
  updatedAt: '2026-11-29T07:00:00.000Z',
  ...over,
});

describe('syncStatus', () => {
  it('sums up a healthy run in members added, updated, removed and records rejected', () => {
    expect(syncStatus(sync())).toMatchObject({ tone: 'ok', badge: 'Healthy' });
    expect(syncStatus(sync()).detail).toMatch(/3 members added, 8 members updated, 2 members removed, 1 record rejected\.$/);
  });
  it('shows progress while running, and the reason when failing', () => {
    expect(syncStatus(sync({ health: 'running', lastRun: run({ status: 'running', pulled: 4000 }) })).detail).toContain('4,000 records');
    const failing = syncStatus(sync({ health: 'failing', failingSince: '2026-11-28T10:00:00.000Z', lastRun: run({ status: 'failed', error: 'The CRM did not answer.' }) }));
    expect(failing.tone).toBe('error');
    expect(failing.badge).toMatch(/^Failing since /);
    expect(failing.detail).toBe('The CRM did not answer.');
    expect(syncStatus(sync({ health: 'needs_reconnect' })).badge).toBe('Needs reconnect');
  });
  it('passes on what a run did differently, under the line about that run', () => {
    const notice = 'Dynamics 365 no longer kept the changes since the last run, so this run read every record again.';
    expect(syncStatus(sync()).notice).toBe('');
    expect(syncStatus(sync({ lastRun: run({ notice }) })).notice).toBe(notice);
    expect(syncStatus(sync({ health: 'running', lastRun: run({ status: 'running', notice }) })).notice).toBe(notice);
    expect(syncStatus(sync({ health: 'failing', lastRun: run({ status: 'failed', error: 'The CRM did not answer.', notice }) })).notice).toBe(notice);
    // A paused card's line is about the pause, so the notice names its run.
    expect(syncStatus(sync({ health: 'paused', paused: true, lastRun: run({ notice }) })).notice).toBe(`About the last run: ${notice}`);
    expect(syncStatus(sync({ health: 'never_run', lastRun: null })).notice).toBe('');
    expect(syncStatus(sync({ lastRun: run({ notice: '  ' }) })).notice).toBe('');
  });
  it('says when the next run is, or why there is none', () => {
    expect(nextRunWords(sync({ paused: true }))).toBe('Paused');
    expect(nextRunWords(sync({ settings: { ...sync().settings, cycle: 'manual' } }))).toBe('Not scheduled');
    expect(nextRunWords(sync({ nextRunAt: '2000-01-01T00:00:00.000Z' }))).toBe('Within a minute');
  });
});
