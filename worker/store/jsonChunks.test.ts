import { describe, expect, it } from 'vitest';
import { countedJsonChunks, jsonChunks } from './jsonChunks.ts';

describe('jsonChunks', () => {
  it('splits items into JSON arrays under the byte budget, keeping every item once and in order', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ['é'.repeat(i % 50), i]);
    const chunks = jsonChunks(items, 4096);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(new TextEncoder().encode(c).length).toBeLessThanOrEqual(4096);
    expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(items);
  });

  it('gives no chunk for no items, and one chunk for an item larger than the budget', () => {
    expect(jsonChunks([])).toEqual([]);
    expect(jsonChunks(['x'.repeat(100)], 10)).toEqual([JSON.stringify(['x'.repeat(100)])]);
  });

  it('keeps every chunk within the budget and every item in order, on random items and budgets (groups and single items)', () => {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
    for (let n = 0; n < 300; n++) {
      const items = Array.from({ length: Math.floor(Math.random() * 200) }, (_, i) => [
        `k${i}`,
        { a: pick(['', 'x', 'é', '東京', '😀', '"\\']).repeat(Math.floor(Math.random() * 40)) },
        Math.random() < 0.1 ? 'y'.repeat(Math.floor(Math.random() * 3000)) : i,
      ]);
      const maxBytes = pick([64, 500, 4096, 20_000, 1_000_000]);
      const chunks = jsonChunks(items, maxBytes);
      // The counted form gives the same chunks, each with how many items it holds.
      expect(countedJsonChunks(items, maxBytes)).toEqual(chunks.map((json) => ({ json, count: (JSON.parse(json) as unknown[]).length })));
      expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(items);
      for (const c of chunks) {
        const bytes = new TextEncoder().encode(c).length;
        if (bytes > maxBytes) expect((JSON.parse(c) as unknown[]).length, 'only a lone item may exceed the budget').toBe(1);
      }
    }
  });
});
