import { describe, expect, it } from 'vitest';
import { buildRowStore, type RowStore } from '../rows/rowStore.ts';
import { batchCount, batchRange, buildBatchRows, buildPackedBatchRows, idempotencyKey, importedColumnIndexes, packedTransferables, type RowSource, unpackBatchRows } from './batchRows.ts';

/** Rows as a parser hands them over: arrays of fields, some shorter or longer than the header. */
function rowsOf(data: string[][], edits: Record<string, string> = {}): RowSource {
  return {
    rowCount: data.length,
    get: (r, c) => edits[`${r}:${c}`] ?? data[r]?.[c],
    fieldCount: (r) => data[r]?.length ?? 0,
  };
}

const headers = ['Nombre', 'Correo', 'Notas', 'Móvil'];
const mapping = {
  columns: [
    { column: 'Nombre', target: 'first_name', sensitive: false },
    { column: 'Correo', target: 'email', sensitive: false },
    { column: 'Notas', target: null, sensitive: false },
    { column: 'Móvil', target: 'mobile', sensitive: true },
  ],
};

describe('importedColumnIndexes', () => {
  it('lists the source positions of imported columns, skipping skipped ones', () => {
    expect(importedColumnIndexes(mapping, headers)).toEqual([0, 1, 3]);
  });

  it('follows the mapping order, not the file order', () => {
    const reordered = { columns: [mapping.columns[3]!, mapping.columns[0]!] };
    expect(importedColumnIndexes(reordered, headers)).toEqual([3, 0]);
  });

  it('refuses a mapping that names a column the file lacks', () => {
    expect(() => importedColumnIndexes({ columns: [{ column: 'Email', target: 'email', sensitive: false }] }, headers)).toThrow(/Email/);
  });
});

describe('batch slicing', () => {
  it('cuts fixed slices so a resumed import lines up with the first attempt', () => {
    expect(batchCount(4_500, 2_000)).toBe(3);
    expect(batchRange(0, 2_000, 4_500)).toEqual({ first: 0, end: 2_000 });
    expect(batchRange(2, 2_000, 4_500)).toEqual({ first: 4_000, end: 4_500 });
    expect(batchRange(3, 2_000, 4_500)).toEqual({ first: 4_500, end: 4_500 });
    expect(batchCount(0, 2_000)).toBe(0);
  });
});

describe('buildBatchRows', () => {
  const data = [
    ['Ana', 'ana@example.com', 'vip', '+34600000001'],
    ['Luis', 'luis@example.com', 'x'],
    ['Eva', 'eva@example.com', '', '+34600000003', 'extra'],
    ['Juan', 'juan@example.com', '', '+34600000004'],
  ];

  it('sends imported values with 1-based row numbers and marks ragged rows', () => {
    const rows = buildBatchRows(rowsOf(data), [0, 1, 3], headers.length, 0, 10);
    expect(rows).toEqual([
      { row: 1, values: ['Ana', 'ana@example.com', '+34600000001'] },
      { row: 2, values: ['Luis', 'luis@example.com', ''], fieldCount: 3 },
      { row: 3, values: ['Eva', 'eva@example.com', '+34600000003'], fieldCount: 5 },
      { row: 4, values: ['Juan', 'juan@example.com', '+34600000004'] },
    ]);
  });

  it('numbers rows of later batches from where the slice starts', () => {
    const rows = buildBatchRows(rowsOf(data), [1], headers.length, 1, 3);
    expect(rows).toEqual([{ row: 4, values: ['juan@example.com'] }]);
  });

  it('sends the user’s edits, not the file’s values', () => {
    const rows = buildBatchRows(rowsOf(data, { '0:1': 'ana.fixed@example.com' }), [1], headers.length, 0, 1);
    expect(rows).toEqual([{ row: 1, values: ['ana.fixed@example.com'] }]);
  });
});

describe('buildPackedBatchRows / unpackBatchRows', () => {
  // Values of every length (empty, multi-line, astral characters, a long note), ragged rows, edits and file lines.
  const data = [
    ['Zoë', 'zoe@example.com', 'a\nb', '+34 600 000 001'],
    ['', '', ''],
    ['😀 Ada', 'ada@example.com', 'x'.repeat(70_000), '', 'extra'],
    ['Juan', 'juan@example.com', '', '+34600000004'],
  ];
  const withLines = (source: RowSource): RowSource => ({ ...source, line: (r) => (r === 1 ? null : r * 2 + 2) });

  it('gives back exactly the rows buildBatchRows builds, batch by batch', () => {
    for (const source of [rowsOf(data, { '3:1': 'juan.fixed@example.com' }), withLines(rowsOf(data))]) {
      for (const seq of [0, 1]) {
        const packed = buildPackedBatchRows(source, [3, 0, 2, 1], headers.length, seq, 3);
        expect(unpackBatchRows(packed)).toEqual(buildBatchRows(source, [3, 0, 2, 1], headers.length, seq, 3));
      }
    }
  });

  it('survives a structured clone with its buffers transferred, leaving the sender nothing to read', () => {
    const packed = buildPackedBatchRows(withLines(rowsOf(data)), [0, 1, 3], headers.length, 0, 10);
    const expected = unpackBatchRows(packed);
    const moved = structuredClone(packed, { transfer: packedTransferables(packed) });
    expect(unpackBatchRows(moved)).toEqual(expected);
    expect(packed.lengths.length).toBe(0);
  });
});

describe('buildPackedBatchRows from a row store (its text sliced, not read cell by cell)', () => {
  const width = headers.length;
  const row = (i: number): string[] => [`Näme ${i}`, `m${i}@example.com`, i % 7 === 0 ? 'n'.repeat(300 + i) : '', i % 3 ? `+3460000${i}` : ''];
  // Chunks of 5, 4 and 6 rows: batches of 3 start and end inside chunks and span two of them.
  const chunks = [0, 5, 9].map((from, k) => Array.from({ length: [5, 4, 6][k] as number }, (_, i) => row(from + i)));
  const fromStore = (store: RowStore): RowSource => ({ rowCount: store.rowCount, get: (r, c) => store.get(r, c), fieldCount: (r) => store.fieldCount(r), packedRows: (f, e) => store.packedRows(f, e) });

  it('gives back exactly what buildBatchRows builds, and sends only the imported columns', () => {
    const store = buildRowStore(headers, chunks);
    for (let seq = 0; seq < 5; seq++) {
      const packed = buildPackedBatchRows(fromStore(store), [3, 0, 1], width, seq, 3);
      expect(packed.width).toBe(width);
      expect(unpackBatchRows(packed)).toEqual(buildBatchRows(fromStore(store), [3, 0, 1], width, seq, 3));
    }
    // Rows 3–5 span the first two chunks: one slice of each.
    expect(store.packedRows(3, 6)?.texts).toHaveLength(2);
  });

  it('reads cell by cell where a row is ragged or edited, so the edit wins', () => {
    const ragged = buildRowStore(headers, [chunks[0] as string[][], [[...row(5), 'extra'], ['short']], chunks[2] as string[][]]);
    expect(ragged.packedRows(4, 7)).toBeNull();
    expect(ragged.packedRows(0, 5)).not.toBeNull();
    const edited = buildRowStore(headers, chunks);
    edited.setEdit(7, 1, 'fixed@example.com');
    expect(edited.packedRows(6, 9)).toBeNull();
    expect(edited.packedRows(0, 6)).not.toBeNull();
    for (const store of [ragged, edited]) {
      for (let seq = 0; seq < 5; seq++) {
        expect(unpackBatchRows(buildPackedBatchRows(fromStore(store), [1, 3], width, seq, 3))).toEqual(buildBatchRows(fromStore(store), [1, 3], width, seq, 3));
      }
    }
  });
});

describe('idempotencyKey', () => {
  it('is the same for the same batch of the same import, and valid for the contract', () => {
    expect(idempotencyKey('imp_1', 3)).toBe(idempotencyKey('imp_1', 3));
    expect(idempotencyKey('imp_1', 3)).not.toBe(idempotencyKey('imp_1', 4));
    expect(idempotencyKey('a', 0).length).toBeGreaterThanOrEqual(8);
  });
});
