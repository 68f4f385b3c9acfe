import { chunkCell, chunkFieldCount, chunkRowsText, packRows, type RowChunk } from './rowChunk.ts';

export type RowStoreChange =
  | { kind: 'rows'; rowCount: number }
  | { kind: 'complete'; rowCount: number }
  | { kind: 'edit'; row: number; col: number };

/**
 * Every data row of one source, held in the tab: packed chunks (see RowChunk) appended as the parser delivers
 * them, plus an overlay of the user's inline fixes. Rows are 0-based here; people see row + 1.
 */
export class RowStore {
  readonly headers: readonly string[];
  readonly columnCount: number;
  #rowCount = 0;
  #complete = false;
  readonly #chunks: RowChunk[] = [];
  /** First row of each chunk, ascending: a binary search finds a row's chunk. */
  readonly #chunkStarts: number[] = [];
  // Most reads are runs of neighbouring rows (a screen, a column scan): remembering the last chunk skips the search.
  #lastChunk = -1;
  readonly #edits = new Map<number, string>();
  readonly #listeners = new Set<(change: RowStoreChange) => void>();

  constructor(headers: readonly string[]) {
    if (headers.length === 0) throw new Error('a row store needs at least one column');
    this.headers = headers;
    this.columnCount = headers.length;
  }

  get rowCount(): number {
    return this.#rowCount;
  }

  /** True once the whole source is in: counts, problems and saving wait for it. */
  get complete(): boolean {
    return this.#complete;
  }

  get editCount(): number {
    return this.#edits.size;
  }

  append(chunk: RowChunk): void {
    if (this.#complete) throw new Error('rows arrived after the store was complete');
    if (chunk.rowCount === 0) return;
    this.#chunks.push(chunk);
    this.#chunkStarts.push(this.#rowCount);
    this.#rowCount += chunk.rowCount;
    this.#emit({ kind: 'rows', rowCount: this.#rowCount });
  }

  finish(): void {
    if (this.#complete) return;
    this.#complete = true;
    this.#emit({ kind: 'complete', rowCount: this.#rowCount });
  }

  /** The cell as the user sees it (their edit if any); undefined past the end of a short (ragged) row. */
  get(row: number, col: number): string | undefined {
    if (this.#edits.size > 0) {
      const edited = this.#edits.get(this.#editKey(row, col));
      if (edited !== undefined) return edited;
    }
    return this.original(row, col);
  }

  /** The cell as the source had it, ignoring edits. */
  original(row: number, col: number): string | undefined {
    const at = this.#locate(row);
    if (at < 0) return undefined;
    return chunkCell(this.#chunks[at] as RowChunk, row - (this.#chunkStarts[at] as number), col);
  }

  /** Fields the source row really had; differs from columnCount on ragged rows, which the Worker rejects. */
  fieldCount(row: number): number {
    const at = this.#locate(row);
    if (at < 0) return 0;
    return chunkFieldCount(this.#chunks[at] as RowChunk, row - (this.#chunkStarts[at] as number));
  }

  /**
   * Rows [first, end), every column, packed for a Web Worker without a string per cell: each chunk's share of them as
   * one slice of its text (a view, not a copy) and every cell's length, row after row. Null when a row there has
   * another field count than the headers (ragged: read cell by cell) or a cell there is edited (the edit must win).
   */
  packedRows(first: number, end: number): { texts: string[]; lengths: Uint32Array<ArrayBuffer> } | null {
    if (first < 0 || end > this.#rowCount || first > end) return null;
    const width = this.columnCount;
    for (const key of this.#edits.keys()) {
      const row = Math.floor(key / width);
      if (row >= first && row < end) return null;
    }
    const lengths = new Uint32Array((end - first) * width);
    const texts: string[] = [];
    for (let row = first; row < end; ) {
      const at = this.#locate(row);
      const chunk = this.#chunks[at] as RowChunk;
      const start = this.#chunkStarts[at] as number;
      if (chunk.uniformWidth !== width) return null;
      const to = Math.min(end, start + chunk.rowCount);
      texts.push(chunkRowsText(chunk, row - start, to - start, lengths, (row - first) * width));
      row = to;
    }
    return { texts, lengths };
  }

  isEdited(row: number, col: number): boolean {
    return this.#edits.has(this.#editKey(row, col));
  }

  /** Records an inline fix; writing back the original value removes the edit. */
  setEdit(row: number, col: number, value: string): void {
    if (row < 0 || row >= this.#rowCount || col < 0 || col >= this.columnCount) {
      throw new RangeError(`no cell at row ${row}, column ${col}`);
    }
    const key = this.#editKey(row, col);
    if (value === (this.original(row, col) ?? '')) {
      if (!this.#edits.delete(key)) return;
    } else {
      if (this.#edits.get(key) === value) return;
      this.#edits.set(key, value);
    }
    this.#emit({ kind: 'edit', row, col });
  }

  /** A reader of one column for whole-column passes (validation); missing cells read as ''. */
  column(col: number): (row: number) => string {
    return (row) => this.get(row, col) ?? '';
  }

  subscribe(listener: (change: RowStoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #editKey(row: number, col: number): number {
    return row * this.columnCount + col;
  }

  #locate(row: number): number {
    if (row < 0 || row >= this.#rowCount) return -1;
    const last = this.#lastChunk;
    if (last >= 0) {
      const start = this.#chunkStarts[last] as number;
      if (row >= start && row < start + (this.#chunks[last] as RowChunk).rowCount) return last;
    }
    let lo = 0;
    let hi = this.#chunkStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#chunkStarts[mid] as number) <= row) lo = mid;
      else hi = mid - 1;
    }
    this.#lastChunk = lo;
    return lo;
  }

  #emit(change: RowStoreChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

/**
 * Builds a complete store from rows already split into chunks (string[][] each, as papaparse yields them):
 * what the parse worker does chunk by chunk, in one call. Benchmarks and tests use it.
 */
export function buildRowStore(headers: readonly string[], chunks: Iterable<readonly (readonly string[])[]>): RowStore {
  const store = new RowStore(headers);
  for (const rows of chunks) store.append(packRows(rows));
  store.finish();
  return store;
}
