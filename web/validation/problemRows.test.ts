import { describe, expect, it } from 'vitest';
import { columnProblems, raggedRows } from '../../shared/validation/index.ts';
import { buildRowStore } from '../rows/rowStore.ts';
import { combineProblems, lowerBound } from './problemRows.ts';

const store = buildRowStore(
  ['Email', 'Phone'],
  [
    [
      ['a@x.com', '+33612345678'],
      ['not-an-email', '+33612345678'],
      ['a@x.com'],
      ['', '+33612345678', 'extra'],
      ['b@y.org', '12'],
    ],
  ],
);

describe('problem rows', () => {
  it('unites column problems and ragged rows, counting what the Worker rejects', () => {
    const email = columnProblems({ header: 'Email', rowCount: store.rowCount, value: store.column(0), type: 'email', isIdentifier: true, defaultCountry: 'FR' });
    const phone = columnProblems({ header: 'Phone', rowCount: store.rowCount, value: store.column(1), type: 'phone', isIdentifier: false, defaultCountry: 'FR' });
    // email: row 1 invalid, row 2 duplicate of row 0 (a warning), row 3 empty identifier; phone: row 2 empty (fine), row 4 invalid.
    const combined = combineProblems(store.rowCount, [email, null, phone], raggedRows({ rowCount: store.rowCount, fieldCount: (r) => store.fieldCount(r), headerCount: 2 }).rows);
    expect([...combined.rows]).toEqual([1, 2, 3, 4]);
    expect(combined.rejected).toBe(4);
    const withoutRagged = combineProblems(store.rowCount, [email], new Uint32Array());
    expect([...withoutRagged.rows]).toEqual([1, 2, 3]);
    expect(withoutRagged.rejected).toBe(2);
  });

  it('finds where a row sits in a sorted list', () => {
    const rows = Uint32Array.from([3, 8, 20]);
    expect([0, 3, 4, 8, 21].map((r) => lowerBound(rows, r))).toEqual([0, 0, 1, 1, 3]);
  });
});
