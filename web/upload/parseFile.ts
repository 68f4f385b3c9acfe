import type { CsvEncoding, CsvHeader, CsvSummary } from '../../shared/csv/index.ts';
import { RowStore } from '../rows/rowStore.ts';
import type { ParseFailure, ParseMessage, ParseOptions, ParseProgress } from './parseMessages.ts';

export interface ParseStart {
  store: RowStore;
  header: CsvHeader;
  /** True when the file was not valid UTF-8 and is being read as Windows-1252 instead: tell the user. */
  encodingFallback: boolean;
}

export interface ParseCallbacks {
  /** Header and first rows are in the (new) store: show the grid now, more rows keep arriving. */
  onStart?(start: ParseStart): void;
  onProgress?(progress: ParseProgress): void;
  /** Reading started over in another encoding; the store from the last onStart is void, a new one follows. */
  onRestart?(restart: { encoding: CsvEncoding; reason: string }): void;
}

export type ParseOutcome =
  | { status: 'done'; store: RowStore; summary: CsvSummary; encodingFallback: boolean }
  | { status: 'failed'; failure: ParseFailure; /** Rows read before the failure, if any got that far. */ store: RowStore | null }
  | { status: 'cancelled' };

export interface ParseHandle {
  readonly outcome: Promise<ParseOutcome>;
  /** Stops reading at once (the worker is terminated); outcome resolves to cancelled. */
  cancel(): void;
}

/**
 * Parses a CSV file in a module Web Worker, filling a RowStore as chunks arrive. The main thread only appends
 * ready-packed chunks: no per-row work here.
 */
export function parseFile(file: Blob, options: ParseOptions = {}, callbacks: ParseCallbacks = {}): ParseHandle {
  const worker = new Worker(new URL('./parse.worker.ts', import.meta.url), { type: 'module', name: 'csv-parse' });
  let store: RowStore | null = null;
  let settle: (outcome: ParseOutcome) => void = () => {};
  const outcome = new Promise<ParseOutcome>((resolve) => {
    settle = (o) => {
      worker.terminate();
      settle = () => {};
      resolve(o);
    };
  });

  worker.onmessage = (event: MessageEvent<ParseMessage>) => {
    const message = event.data;
    switch (message.type) {
      case 'start':
        store = new RowStore(message.header.headers);
        store.append(message.chunk);
        callbacks.onStart?.({ store, header: message.header, encodingFallback: message.encodingFallback });
        callbacks.onProgress?.(message.progress);
        return;
      case 'rows':
        store?.append(message.chunk);
        callbacks.onProgress?.(message.progress);
        return;
      case 'progress':
        callbacks.onProgress?.(message.progress);
        return;
      case 'restart':
        store = null;
        callbacks.onRestart?.({ encoding: message.encoding, reason: message.message });
        return;
      case 'done':
        if (!store) throw new Error('parse finished without a header');
        store.finish();
        callbacks.onProgress?.(message.progress);
        settle({ status: 'done', store, summary: message.summary, encodingFallback: message.encodingFallback });
        return;
      case 'error':
        settle({ status: 'failed', failure: message.failure, store });
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    settle({ status: 'failed', failure: { code: 'read_failed', message: `The file could not be read (${event.message || 'the parser stopped'}). Pick it again.`, row: null }, store });
  };
  worker.postMessage({ file, ...options });

  return {
    outcome,
    cancel: () => settle({ status: 'cancelled' }),
  };
}
