import { describe, expect, it } from 'vitest';
import { jsonChunks } from './jsonChunks.ts';

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
});
