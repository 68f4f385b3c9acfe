import { createCsvReader, type CsvEncoding, type CsvHeader, isCsvError } from '../../shared/csv/index.ts';
import { chunkTransferables, packRows } from '../rows/rowChunk.ts';
import type { ParseMessage, ParseOptions, ParseProgress } from './parseMessages.ts';

/** A File (or any Blob): read as a stream, once per attempt. */
export interface CsvSource {
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
}

export type Post = (message: ParseMessage, transfer: Transferable[]) => void;

// Cells per posted chunk: ~1 MB of text for typical rows, few enough messages (≈150 for 1M × 10) that the tab's
// work per message is nothing, small enough that a chunk turned two-byte by one emoji costs little.
const CELLS_PER_CHUNK = 65_536;
// The first chunk is smaller: it is what the user waits for before seeing anything.
const FIRST_CHUNK_CELLS = 8_192;
// The tab hears about progress at most this often; every 64 KiB stream read would be thousands of messages.
const PROGRESS_EVERY_MS = 100;

class Cancelled extends Error {}

/**
 * Reads a CSV source through the shared reader and posts the rows packed in the row store's chunk format.
 * Never throws: every outcome is a message. On a late invalid byte sequence in detected UTF-8, everything is read
 * again as Windows-1252 (what Excel writes) after a `restart` message; a forced encoding is never second-guessed.
 */
export async function readCsvSource(source: CsvSource, options: ParseOptions, post: Post, signal?: AbortSignal): Promise<void> {
  let encoding: CsvEncoding | undefined = options.encoding;
  let encodingFallback = false;
  for (;;) {
    try {
      await readOnce(source, { ...options, encoding }, encodingFallback, post, signal);
      return;
    } catch (error) {
      if (error instanceof Cancelled) return;
      if (isCsvError(error)) {
        if (error.code === 'invalid_encoding' && options.encoding === undefined && !encodingFallback) {
          encoding = 'windows-1252';
          encodingFallback = true;
          post({ type: 'restart', encoding, message: error.message }, []);
          continue;
        }
        post({ type: 'error', failure: { code: error.code, message: error.message, row: error.row } }, []);
        return;
      }
      const detail = error instanceof Error ? error.message : String(error);
      post({ type: 'error', failure: { code: 'read_failed', message: `The file could not be read (${detail}). Pick it again.`, row: null } }, []);
      return;
    }
  }
}

async function readOnce(source: CsvSource, options: ParseOptions, encodingFallback: boolean, post: Post, signal?: AbortSignal): Promise<void> {
  const progress: ParseProgress = { bytesRead: 0, totalBytes: source.size, rows: 0 };
  let header: CsvHeader | null = null;
  let started = false;
  let pending: string[][] = [];
  let pendingCells = 0;
  let lastProgress = 0;

  const flush = (force: boolean) => {
    if (!header) return;
    if (!started) {
      const chunk = packRows(pending);
      post({ type: 'start', header, encodingFallback, chunk, progress: { ...progress } }, chunkTransferables(chunk));
      started = true;
    } else if (pending.length > 0 && (force || pendingCells >= CELLS_PER_CHUNK)) {
      const chunk = packRows(pending);
      post({ type: 'rows', chunk, progress: { ...progress } }, chunkTransferables(chunk));
    } else {
      return;
    }
    pending = [];
    pendingCells = 0;
    lastProgress = Date.now();
  };

  const reader = createCsvReader(
    {
      ...options,
      onHeader: (h) => {
        header = h;
      },
    },
    (rows) => {
      for (const row of rows) {
        pending.push(row);
        pendingCells += row.length;
        if (pendingCells >= (started ? CELLS_PER_CHUNK : FIRST_CHUNK_CELLS)) flush(false);
      }
      progress.rows += rows.length;
    },
  );

  const stream = source.stream().getReader();
  try {
    for (;;) {
      if (signal?.aborted) throw new Cancelled();
      const { done, value } = await stream.read();
      if (done) break;
      progress.bytesRead += value.byteLength;
      reader.push(value);
      // The first rows go out as soon as the header is known; the rest in full chunks.
      flush(false);
      if (started && Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        post({ type: 'progress', progress: { ...progress } }, []);
        lastProgress = Date.now();
      }
    }
  } finally {
    stream.releaseLock();
  }
  const summary = reader.end();
  flush(true);
  post({ type: 'done', summary, encodingFallback, progress: { ...progress } }, []);
}
