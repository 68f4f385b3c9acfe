import { describe, expect, it } from 'vitest';
import { packRows } from './rowChunk.ts';
import { buildRowStore, RowStore, type RowStoreChange } from './rowStore.ts';

const headers = ['Email', 'Name', 'City'];

function rowsFrom(first: number, count: number): string[][] {
  return Array.from({ length: count }, (_, i) => [`user${first + i}@example.com`, `Name ${first + i}`, i % 3 === 0 ? '' : 'Lyon']);
}

describe('RowStore', () => {
  it('reads any row across chunks of different sizes, in any order', () => {
    const chunks = [rowsFrom(0, 5), rowsFrom(5, 1), rowsFrom(6, 300), rowsFrom(306, 17)];
    const store = buildRowStore(headers, chunks);
    const all = chunks.flat();
    expect(store.rowCount).toBe(323);
    expect(store.complete).toBe(true);
    const order = [322, 0, 5, 6, 305, 306, 4, 150, 321, 1];
    for (const r of order) expect([0, 1, 2].map((c) => store.get(r, c))).toEqual(all[r]);
    for (let r = 0; r < all.length; r++) expect(store.get(r, 0)).toBe(all[r]?.[0]);
  });

  it('answers undefined outside the rows and past a short row, and reports real field counts', () => {
    const store = buildRowStore(headers, [[['a', 'b', 'c'], ['only one'], ['1', '2', '3', 'extra']]]);
    expect(store.get(-1, 0)).toBeUndefined();
    expect(store.get(3, 0)).toBeUndefined();
    expect(store.get(1, 1)).toBeUndefined();
    expect([0, 1, 2].map((r) => store.fieldCount(r))).toEqual([3, 1, 4]);
    expect(store.fieldCount(99)).toBe(0);
  });

  it('overlays edits without touching the source, and drops an edit that restores the original', () => {
    const store = buildRowStore(headers, [rowsFrom(0, 10)]);
    const changes: RowStoreChange[] = [];
    const stop = store.subscribe((c) => changes.push(c));
    store.setEdit(3, 0, 'fixed@example.com');
    expect(store.get(3, 0)).toBe('fixed@example.com');
    expect(store.original(3, 0)).toBe('user3@example.com');
    expect(store.isEdited(3, 0)).toBe(true);
    expect(store.isEdited(3, 1)).toBe(false);
    expect(store.editCount).toBe(1);
    store.setEdit(3, 0, 'fixed@example.com');
    store.setEdit(3, 0, 'user3@example.com');
    expect(store.isEdited(3, 0)).toBe(false);
    expect(store.editCount).toBe(0);
    expect(changes).toEqual([
      { kind: 'edit', row: 3, col: 0 },
      { kind: 'edit', row: 3, col: 0 },
    ]);
    stop();
    store.setEdit(4, 2, 'Nice');
    expect(changes).toHaveLength(2);
  });

  it('lets a short row be completed by an edit', () => {
    const store = buildRowStore(headers, [[['a@x.com']]]);
    store.setEdit(0, 2, 'Paris');
    expect(store.get(0, 2)).toBe('Paris');
    expect(store.column(1)(0)).toBe('');
    expect(store.fieldCount(0)).toBe(1);
  });

  it('refuses edits outside the grid', () => {
    const store = buildRowStore(headers, [rowsFrom(0, 2)]);
    expect(() => store.setEdit(2, 0, 'x')).toThrow(RangeError);
    expect(() => store.setEdit(0, 3, 'x')).toThrow(RangeError);
  });

  it('reads a whole column through its accessor, edits included', () => {
    const store = buildRowStore(headers, [rowsFrom(0, 4), rowsFrom(4, 4)]);
    store.setEdit(6, 2, 'Nantes');
    const city = store.column(2);
    expect(Array.from({ length: store.rowCount }, (_, r) => city(r))).toEqual(['', 'Lyon', 'Lyon', '', '', 'Lyon', 'Nantes', '']);
  });

  it('announces rows as they stream in, then completion, and refuses rows after that', () => {
    const store = new RowStore(headers);
    const changes: RowStoreChange[] = [];
    store.subscribe((c) => changes.push(c));
    store.append(packRows(rowsFrom(0, 2)));
    store.append(packRows([]));
    store.append(packRows(rowsFrom(2, 3)));
    expect(store.complete).toBe(false);
    store.finish();
    store.finish();
    expect(changes).toEqual([
      { kind: 'rows', rowCount: 2 },
      { kind: 'rows', rowCount: 5 },
      { kind: 'complete', rowCount: 5 },
    ]);
    expect(() => store.append(packRows(rowsFrom(5, 1)))).toThrow();
  });

  it('can hold the same chunk many times (synthetic million-row sources cost one chunk)', () => {
    const chunk = packRows(rowsFrom(0, 1000));
    const store = new RowStore(headers);
    for (let i = 0; i < 1000; i++) store.append(chunk);
    expect(store.rowCount).toBe(1_000_000);
    expect(store.get(999_999, 0)).toBe('user999@example.com');
    expect(store.get(123_456, 1)).toBe('Name 456');
  });

  it('needs a header', () => {
    expect(() => new RowStore([])).toThrow();
  });
});
