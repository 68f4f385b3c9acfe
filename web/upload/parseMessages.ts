import type { CsvEncoding, CsvErrorCode, CsvHeader, CsvSummary } from '../../shared/csv/index.ts';
import type { RowChunk } from '../rows/rowChunk.ts';

/** What the user may force when re-parsing; anything left out is detected. */
export interface ParseOptions {
  delimiter?: string;
  encoding?: CsvEncoding;
}

export interface ParseProgress {
  bytesRead: number;
  totalBytes: number;
  /** Data rows parsed so far (delivered or about to be). */
  rows: number;
}

/** A file that cannot be read, as data: `code` for programs, `message` for the marketer. */
export interface ParseFailure {
  code: CsvErrorCode | 'read_failed';
  message: string;
  /** 1-based data row the problem is at or near, when it has a place in the file. */
  row: number | null;
}

/** Everything the parse worker tells the tab, in order: start, rows…, then done or error (restart starts over). */
export type ParseMessage =
  /** Header and the first rows together, so the grid can show something while the rest is read. */
  | { type: 'start'; header: CsvHeader; encodingFallback: boolean; chunk: RowChunk; progress: ParseProgress }
  | { type: 'rows'; chunk: RowChunk; progress: ParseProgress }
  | { type: 'progress'; progress: ParseProgress }
  /** The text turned out not to be valid in the detected encoding: everything so far is void, reading starts again. */
  | { type: 'restart'; encoding: CsvEncoding; message: string }
  | { type: 'done'; summary: CsvSummary; encodingFallback: boolean; progress: ParseProgress }
  | { type: 'error'; failure: ParseFailure };

export interface ParseRequest extends ParseOptions {
  file: Blob;
}
