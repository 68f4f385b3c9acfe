import { describe, expect, it } from 'vitest';
import { undoOrder } from './undoOrder.ts';

const created = new Map([
  ['a', '2026-01-01'],
  ['b', '2026-01-02'],
  ['c', '2026-01-03'],
  ['d', '2026-01-04'],
]);

describe('undoOrder', () => {
  it('is the import alone when nothing wrote over it', () => {
    expect(undoOrder('a', new Map(), created)).toEqual(['a']);
  });

  it('undoes later imports first, newest first, and each one after those that wrote over it', () => {
    // b and c wrote over a; d wrote over b only (members a never touched).
    const laterOf = new Map([
      ['a', ['b', 'c']],
      ['b', ['d']],
    ]);
    expect(undoOrder('a', laterOf, created)).toEqual(['c', 'd', 'b', 'a']);
  });

  it('lists an import once when several paths lead to it', () => {
    const laterOf = new Map([
      ['a', ['b', 'c']],
      ['b', ['c']],
    ]);
    expect(undoOrder('a', laterOf, created)).toEqual(['c', 'b', 'a']);
  });
});
