import { predictedRejection, raggedRowMessage } from './importRules.ts';

export type RowProblemsInput = {
  rowCount: number;
  /** Fields the source row had (0-based row). */
  fieldCount: (row: number) => number;
  headerCount: number;
};

export type RaggedRows = {
  /** 0-based rows whose field count differs from the header's, ascending: the Worker rejects them (`ragged_row`). */
  readonly rows: Uint32Array;
  problemAt(row: number): { row: number; code: 'ragged_row'; severity: 'error'; message: string } | null;
};

/** Rows with more or fewer fields than the header: usually a stray delimiter or an unquoted line break. */
export function raggedRows({ rowCount, fieldCount, headerCount }: RowProblemsInput): RaggedRows {
  let found = new Uint32Array(64);
  let n = 0;
  for (let row = 0; row < rowCount; row++) {
    if (fieldCount(row) === headerCount) continue;
    if (n === found.length) {
      const grown = new Uint32Array(found.length * 2);
      grown.set(found);
      found = grown;
    }
    found[n++] = row;
  }
  const rows = found.slice(0, n);
  return {
    rows,
    problemAt(row) {
      if (sortedIndexOf(rows, row) < 0) return null;
      return { row, code: 'ragged_row', severity: 'error', message: predictedRejection(raggedRowMessage(fieldCount(row), headerCount)) };
    },
  };
}

/** Every row in any of the lists, once, ascending: what "only rows with problems" shows. */
export function problemRows(lists: readonly Uint32Array[]): Uint32Array {
  const all = new Uint32Array(lists.reduce((sum, l) => sum + l.length, 0));
  let at = 0;
  for (const list of lists) {
    all.set(list, at);
    at += list.length;
  }
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    if (n === 0 || all[i] !== all[n - 1]) all[n++] = all[i] as number;
  }
  return all.slice(0, n);
}

export function sortedIndexOf(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = sorted[mid] as number;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
