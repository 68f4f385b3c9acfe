import { describe, expect, it } from 'vitest';
import { sumCounts } from './sumCounts.ts';

describe('sumCounts', () => {
  it('adds every key of both tallies, keys present in one only included', () => {
    const a: Record<string, number> = { received: 3, inserted: 2 };
    const b: Record<string, number> = { received: 4, rejected: 1 };
    expect(sumCounts(a, b)).toEqual({ received: 7, inserted: 2, rejected: 1 });
  });

  it('leaves its inputs unchanged', () => {
    const a = { inserted: 1, updated: 2 };
    sumCounts(a, { inserted: 5, updated: 5 });
    expect(a).toEqual({ inserted: 1, updated: 2 });
  });
});
