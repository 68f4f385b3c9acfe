import { describe, expect, it } from 'vitest';
import { chunkCell, chunkFieldCount, chunkTransferables, LONG_CELL, packRows } from './rowChunk.ts';

function unpack(rows: string[][]) {
  const chunk = packRows(rows);
  return rows.map((row, r) => Array.from({ length: chunkFieldCount(chunk, r) }, (_, c) => chunkCell(chunk, r, c)));
}

describe('packRows', () => {
  it('gives back every cell of a rectangular block, with no per-row cell index', () => {
    const rows = [
      ['a@x.com', 'Ann', ''],
      ['', '', ''],
      ['b@y.org', 'Bob', 'Paris, FR'],
    ];
    const chunk = packRows(rows);
    expect(chunk.uniformWidth).toBe(3);
    expect(chunk.rowCells).toBeNull();
    expect(chunk.text).toBe('a@x.comAnnb@y.orgBobParis, FR');
    expect(unpack(rows)).toEqual(rows);
  });

  it('keeps ragged rows exact and answers undefined past a short row', () => {
    const rows = [['1', '2', '3'], ['4'], ['5', '6', '7', '8'], []];
    const chunk = packRows(rows);
    expect(chunk.uniformWidth).toBe(-1);
    expect([0, 1, 2, 3].map((r) => chunkFieldCount(chunk, r))).toEqual([3, 1, 4, 0]);
    expect(unpack(rows)).toEqual(rows);
    expect(chunkCell(chunk, 1, 1)).toBeUndefined();
    expect(chunkCell(chunk, 2, 3)).toBe('8');
    expect(chunkCell(chunk, 0, -1)).toBeUndefined();
  });

  it('stores cells longer than one length byte without truncating them', () => {
    const long = 'x'.repeat(LONG_CELL);
    const huge = 'note '.repeat(20_000);
    const rows = [
      [long, 'a', huge],
      ['b', huge + '!', 'c'.repeat(LONG_CELL - 1)],
    ];
    const chunk = packRows(rows);
    expect(chunk.longLengths.length).toBe(6);
    expect(unpack(rows)).toEqual(rows);
  });

  it('counts lengths in UTF-16 units, so accents, CJK and emoji come back whole', () => {
    const rows = [['José', '東京', '👩‍💻 dev', 'Zoë'], ['€', '', '"quoted", with comma\nand newline', 'é']];
    expect(unpack(rows)).toEqual(rows);
  });

  it('finds rows between offset checkpoints, narrow or wide, rectangular or ragged', () => {
    const narrow = Array.from({ length: 200 }, (_, r) => [`v${r}`]);
    const wide = Array.from({ length: 30 }, (_, r) => Array.from({ length: 150 }, (_, c) => `${r}:${c}`));
    const ragged = Array.from({ length: 200 }, (_, r) => Array.from({ length: (r % 5) + 1 }, (_, c) => (c === 2 ? 'y'.repeat(300) : `${r}.${c}`)));
    expect(packRows(narrow).checkpointEvery).toBeGreaterThan(1);
    expect(packRows(wide).checkpointEvery).toBe(1);
    expect(unpack(narrow)).toEqual(narrow);
    expect(unpack(wide)).toEqual(wide);
    expect(unpack(ragged)).toEqual(ragged);
  });

  it('handles an empty block', () => {
    const chunk = packRows([]);
    expect(chunk.rowCount).toBe(0);
    expect(chunk.text).toBe('');
  });

  it('lists each typed array buffer for transfer', () => {
    expect(chunkTransferables(packRows([['a'], ['b']]))).toHaveLength(3);
    expect(chunkTransferables(packRows([['a'], ['b', 'c']]))).toHaveLength(4);
  });
});
