import { describe, expect, it } from 'vitest';
import { dayRange, isTimeZone } from './dayRange.ts';

describe('dayRange', () => {
  it('is midnight to midnight in UTC', () => {
    expect(dayRange('2024-01-02', 'UTC')).toEqual({ start: '2024-01-02T00:00:00Z', end: '2024-01-03T00:00:00Z' });
  });

  it('starts at the local midnight east and west of UTC', () => {
    expect(dayRange('2024-01-02', 'Europe/Berlin')).toEqual({ start: '2024-01-01T23:00:00Z', end: '2024-01-02T23:00:00Z' });
    expect(dayRange('2024-07-02', 'America/New_York')).toEqual({ start: '2024-07-02T04:00:00Z', end: '2024-07-03T04:00:00Z' });
    expect(dayRange('2024-01-02', 'Asia/Kolkata')).toEqual({ start: '2024-01-01T18:30:00Z', end: '2024-01-02T18:30:00Z' });
  });

  it('has 23 or 25 hours on the days the clocks change', () => {
    const spring = dayRange('2024-03-31', 'Europe/Berlin');
    expect(spring).toEqual({ start: '2024-03-30T23:00:00Z', end: '2024-03-31T22:00:00Z' });
    const autumn = dayRange('2024-11-03', 'America/New_York');
    expect(Date.parse(autumn.end) - Date.parse(autumn.start)).toBe(25 * 3_600_000);
  });
});

describe('isTimeZone', () => {
  it('knows IANA names and refuses the rest', () => {
    expect(['UTC', 'Europe/Berlin', 'America/Sao_Paulo'].every(isTimeZone)).toBe(true);
    expect(['Mars/Olympus', 'CET; DROP', ''].some(isTimeZone)).toBe(false);
  });
});
