import { batch, createSignal, onCleanup } from 'solid-js';
import type { CsvHeader, CsvSummary } from '../../../shared/csv/index.ts';
import type { RowStore } from '../../rows/rowStore.ts';
import { parseFile, type ParseHandle } from '../../upload/parseFile.ts';
import type { ParseFailure, ParseOptions, ParseProgress } from '../../upload/parseMessages.ts';

/**
 * A file being read in the parse worker, as signals: its header and rows as they arrive, progress, the summary or
 * the failure. `onRows` is told when the header and the first rows are there (the mapping starts then).
 */
export function createFileSource(hooks: {
  onRows: (file: File, header: CsvHeader, store: RowStore) => void;
  /** A new read starts: whatever the page derived from the previous file goes. */
  onReset: () => void;
  /** The same file is read again in another encoding: its header (and so its mapping) may change. */
  onRestart: () => void;
}) {
  const [file, setFile] = createSignal<File | null>(null);
  const [header, setHeader] = createSignal<CsvHeader | null>(null);
  const [store, setStore] = createSignal<RowStore | null>(null);
  const [rowCount, setRowCount] = createSignal(0);
  const [progress, setProgress] = createSignal<ParseProgress | null>(null);
  const [summary, setSummary] = createSignal<CsvSummary | null>(null);
  const [failure, setFailure] = createSignal<ParseFailure | null>(null);
  const [encodingFallback, setEncodingFallback] = createSignal(false);
  const [parseOptions, setParseOptions] = createSignal<ParseOptions>({});
  const [parsing, setParsing] = createSignal(false);

  let handle: ParseHandle | null = null;
  let unsubscribe: (() => void) | null = null;
  const stop = () => {
    handle?.cancel();
    handle = null;
    unsubscribe?.();
    unsubscribe = null;
  };
  onCleanup(stop);

  function read(f: File, opts: ParseOptions) {
    stop();
    batch(() => {
      setFile(f);
      setParseOptions(opts);
      setHeader(null);
      setStore(null);
      setRowCount(0);
      setSummary(null);
      setFailure(null);
      setEncodingFallback(false);
      setProgress({ bytesRead: 0, totalBytes: f.size, rows: 0 });
      setParsing(true);
      hooks.onReset();
    });
    const current = parseFile(f, opts, {
      onStart: ({ store: s, header: h, encodingFallback: fallback }) => {
        if (handle !== current) return;
        unsubscribe?.();
        unsubscribe = s.subscribe((change) => {
          if (change.kind !== 'edit') setRowCount(change.rowCount);
        });
        batch(() => {
          // The mapping first, in the same update as the store, so the grid never sees a column without its state.
          hooks.onRows(f, h, s);
          setStore(s);
          setRowCount(s.rowCount);
          setHeader(h);
          setEncodingFallback(fallback);
        });
      },
      onProgress: (p) => handle === current && setProgress(p),
      onRestart: () => {
        if (handle !== current) return;
        batch(() => {
          setEncodingFallback(true);
          setStore(null);
          setHeader(null);
          hooks.onRestart();
        });
      },
    });
    handle = current;
    void current.outcome.then((outcome) => {
      if (handle !== current) return;
      batch(() => {
        setParsing(false);
        if (outcome.status === 'done') {
          setSummary(outcome.summary);
          setRowCount(outcome.store.rowCount);
          setEncodingFallback(outcome.encodingFallback);
        } else if (outcome.status === 'failed') {
          setFailure(outcome.failure);
        }
      });
    });
  }

  /** Forgets the file (CRM rows take its place). */
  function clear() {
    stop();
    batch(() => {
      setFile(null);
      setHeader(null);
      setStore(null);
      setRowCount(0);
      setParseOptions({});
      setSummary(null);
      setFailure(null);
      setEncodingFallback(false);
      setProgress(null);
      setParsing(false);
    });
  }

  return {
    file,
    header,
    store,
    rowCount,
    progress,
    summary,
    failure,
    encodingFallback,
    parseOptions,
    parsing,
    read,
    reread: (opts: ParseOptions) => {
      const f = file();
      if (f) read(f, { ...parseOptions(), ...opts });
    },
    clear,
  };
}

export type FileSource = ReturnType<typeof createFileSource>;
