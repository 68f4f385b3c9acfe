import { describe, expect, it } from 'vitest';
import { STALL_AFTER_MS, waitedSeconds } from './stallClock.ts';

describe('waitedSeconds', () => {
  it('says nothing for a short wait, then the whole seconds waited', () => {
    expect(waitedSeconds(null, 50_000)).toBeNull();
    expect(waitedSeconds(10_000, 10_000 + STALL_AFTER_MS - 1)).toBeNull();
    expect(waitedSeconds(10_000, 10_000 + STALL_AFTER_MS)).toBe(3);
    expect(waitedSeconds(10_000, 22_400)).toBe(12);
  });
});
