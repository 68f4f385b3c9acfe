import { describe, expect, it } from 'vitest';
import { changedSince, laterStamp, nextHighWaterMark, nextRunAt, normalizeStamp } from './updateCycle.ts';

describe('nextRunAt', () => {
  const from = new Date('2026-11-29T08:03:41.500Z');
  it('counts each cycle from the start, floored to the minute', () => {
    expect(nextRunAt('every_minute', from)).toBe('2026-11-29T08:04:00.000Z');
    expect(nextRunAt('every_5_minutes', from)).toBe('2026-11-29T08:08:00.000Z');
    expect(nextRunAt('every_15_minutes', from)).toBe('2026-11-29T08:18:00.000Z');
    expect(nextRunAt('hourly', from)).toBe('2026-11-29T09:03:00.000Z');
    expect(nextRunAt('daily', from)).toBe('2026-11-30T08:03:00.000Z');
  });
  it('never schedules a manual sync', () => {
    expect(nextRunAt('manual', from)).toBeNull();
  });
});

describe('high-water mark', () => {
  it('asks for changes from five minutes before the mark; a first run is full', () => {
    expect(changedSince(null)).toBeNull();
    expect(changedSince('2026-11-29T08:00:00.000Z')).toBe('2026-11-29T07:55:00Z');
  });
  it('never moves past the start of the run that saw the stamps', () => {
    expect(nextHighWaterMark(null, '2026-11-29T07:00:00.000Z', '2026-11-29T08:00:00.000Z')).toBe('2026-11-29T07:00:00.000Z');
    expect(nextHighWaterMark(null, '2026-11-29T08:00:30.000Z', '2026-11-29T08:00:00.000Z')).toBe('2026-11-29T08:00:00.000Z');
    expect(nextHighWaterMark('2026-11-28T00:00:00.000Z', null, '2026-11-29T08:00:00.000Z')).toBe('2026-11-28T00:00:00.000Z');
  });
  it('compares Salesforce and Dataverse stamps as instants', () => {
    expect(normalizeStamp('2026-11-29T08:00:00.000+0000')).toBe('2026-11-29T08:00:00.000Z');
    expect(laterStamp('2026-11-29T08:00:00.000+0000', '2026-11-29T07:59:59Z')).toBe('2026-11-29T08:00:00.000Z');
    expect(laterStamp(null, '2026-11-29T07:59:59Z')).toBe('2026-11-29T07:59:59.000Z');
  });
});
