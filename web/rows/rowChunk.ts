/**
 * A block of consecutive rows packed so that a million rows cost about what the file costs: all cell values of the
 * block concatenated into ONE string (no separators: the lengths say where each cell ends), plus one byte of
 * length per cell. Ten million small JS strings would take ~40 bytes each on top of their characters.
 *
 * Built in the parse worker and posted to the tab as is; the typed arrays are transferred, not copied.
 */
export interface RowChunk {
  readonly rowCount: number;
  /** Every cell value of every row, back to back. */
  readonly text: string;
  /** Length of each cell in UTF-16 code units; LONG_CELL means "look it up in longLengths". */
  readonly cellLengths: Uint8Array;
  /** [cellIndex, length] pairs for cells of LONG_CELL units or more, in cell order (rare: notes, descriptions). */
  readonly longLengths: Uint32Array;
  /** Fields of every row when they all have the same count (the usual case); -1 when ragged, see rowCells. */
  readonly uniformWidth: number;
  /** rowCount + 1 cell indexes where each row starts; only for ragged blocks (saves 4 bytes a row otherwise). */
  readonly rowCells: Uint32Array | null;
  /** Offset into text of every `checkpointEvery`-th row's first cell: a read sums at most ~64 lengths. */
  readonly charCheckpoints: Uint32Array;
  readonly checkpointEvery: number;
}

export const LONG_CELL = 255;
// Cells summed between checkpoints: a handful of nanoseconds each. Every row would cost 4 bytes a row (~3% of a
// typical file); this keeps reads quick and the offsets to a fraction of that.
const CELLS_PER_CHECKPOINT = 64;

/** Packs parsed rows (as papaparse gives them) into one chunk. */
export function packRows(rows: readonly (readonly string[])[]): RowChunk {
  const rowCount = rows.length;
  let cellCount = 0;
  let width = rowCount > 0 ? (rows[0] as readonly string[]).length : 0;
  for (let r = 0; r < rowCount; r++) {
    const n = (rows[r] as readonly string[]).length;
    cellCount += n;
    if (n !== width) width = -1;
  }
  const cellLengths = new Uint8Array(cellCount);
  const checkpointEvery = Math.max(1, Math.floor(CELLS_PER_CHECKPOINT / Math.max(1, rowCount > 0 ? cellCount / rowCount : 1)));
  const charCheckpoints = new Uint32Array(Math.ceil(rowCount / checkpointEvery));
  const rowCells = width < 0 ? new Uint32Array(rowCount + 1) : null;
  const long: number[] = [];
  const parts = new Array<string>(cellCount);
  let cell = 0;
  let chars = 0;
  for (let r = 0; r < rowCount; r++) {
    const row = rows[r] as readonly string[];
    if (r % checkpointEvery === 0) charCheckpoints[r / checkpointEvery] = chars;
    if (rowCells) rowCells[r] = cell;
    for (let c = 0; c < row.length; c++) {
      const value = row[c] as string;
      const length = value.length;
      if (length >= LONG_CELL) {
        cellLengths[cell] = LONG_CELL;
        long.push(cell, length);
      } else {
        cellLengths[cell] = length;
      }
      parts[cell] = value;
      chars += length;
      cell++;
    }
  }
  if (rowCells) rowCells[rowCount] = cell;
  // One join makes one flat string; it stays one-byte per character unless a value needs more than Latin-1.
  return { rowCount, text: parts.join(''), cellLengths, longLengths: Uint32Array.from(long), uniformWidth: width, rowCells, charCheckpoints, checkpointEvery };
}

/** Buffers to list in postMessage's transfer list: moved to the tab, not copied. */
export function chunkTransferables(chunk: RowChunk): ArrayBuffer[] {
  const arrays = [chunk.cellLengths, chunk.longLengths, chunk.charCheckpoints, ...(chunk.rowCells ? [chunk.rowCells] : [])];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

function longLength(chunk: RowChunk, cell: number): number {
  const pairs = chunk.longLengths;
  let lo = 0;
  let hi = pairs.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = pairs[mid * 2] as number;
    if (at === cell) return pairs[mid * 2 + 1] as number;
    if (at < cell) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new Error(`row chunk is corrupt: no length for long cell ${cell}`);
}

function cellLength(chunk: RowChunk, cell: number): number {
  const length = chunk.cellLengths[cell] as number;
  return length === LONG_CELL ? longLength(chunk, cell) : length;
}

/** Fields that row `row` (0-based within the chunk) really had in the source. */
export function chunkFieldCount(chunk: RowChunk, row: number): number {
  if (chunk.rowCells) return (chunk.rowCells[row + 1] as number) - (chunk.rowCells[row] as number);
  return chunk.uniformWidth;
}

function firstCellOf(chunk: RowChunk, row: number): number {
  return chunk.rowCells ? (chunk.rowCells[row] as number) : row * chunk.uniformWidth;
}

/** Offset into text of cell `cell` of the chunk, which is in row `row`: from the row's checkpoint on. */
function charOffset(chunk: RowChunk, row: number, cell: number): number {
  const checkpoint = Math.floor(row / chunk.checkpointEvery);
  let start = chunk.charCheckpoints[checkpoint] as number;
  for (let k = firstCellOf(chunk, checkpoint * chunk.checkpointEvery); k < cell; k++) start += cellLength(chunk, k);
  return start;
}

/** Cell `col` of chunk row `row`, or undefined past the end of a short row. */
export function chunkCell(chunk: RowChunk, row: number, col: number): string | undefined {
  if (col < 0 || col >= chunkFieldCount(chunk, row)) return undefined;
  const cell = firstCellOf(chunk, row) + col;
  const start = charOffset(chunk, row, cell);
  return chunk.text.slice(start, start + cellLength(chunk, cell));
}

/**
 * Rows [from, to) of a chunk whose rows all have the same field count (uniformWidth ≥ 0): every cell's length
 * written into `lengths` from `at`, and their text as ONE slice of the chunk's. V8 keeps a slice of a long flat
 * string as a view of it, so this allocates no text at all, where reading cell by cell makes a string per cell.
 */
export function chunkRowsText(chunk: RowChunk, from: number, to: number, lengths: Uint32Array, at: number): string {
  const width = chunk.uniformWidth;
  if (width < 0) throw new Error('chunkRowsText needs a chunk whose rows have one width');
  if (from >= to) return '';
  const first = from * width;
  const start = charOffset(chunk, from, first);
  let chars = 0;
  for (let k = first, end = to * width; k < end; k++) {
    const length = cellLength(chunk, k);
    lengths[at + k - first] = length;
    chars += length;
  }
  return chunk.text.slice(start, start + chars);
}
