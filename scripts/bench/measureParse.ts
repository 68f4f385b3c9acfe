import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { createCsvReader } from '../../shared/csv/index.ts';
import { packRows } from '../../web/rows/rowChunk.ts';
import { RowStore } from '../../web/rows/rowStore.ts';

export type ParseRun = { seconds: number; rows: number };

/** The ceiling: papaparse alone, arrays (header: false), over the same byte stream. */
export async function parseWithPapa(path: string): Promise<ParseRun> {
  const start = performance.now();
  let rows = 0;
  await new Promise<void>((resolve, reject) => {
    Papa.parse(createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as unknown as File, {
      header: false,
      skipEmptyLines: true,
      chunk: (res: Papa.ParseResult<string[]>) => {
        rows += res.data.length;
      },
      complete: () => resolve(),
      error: (e: Error) => reject(e),
    });
  });
  return { seconds: (performance.now() - start) / 1000, rows: rows - 1 };
}

/** The app's reader (own streaming decode + sniffing + papaparse core); with `pack`, rows are also packed into the
 * tab's RowStore exactly as the parse Web Worker does, and the store is returned for the memory measurement. */
export async function parseWithApp(path: string, pack: boolean): Promise<ParseRun & { headers: string[]; store: RowStore | null }> {
  const start = performance.now();
  let rows = 0;
  let store: RowStore | null = null;
  const reader = createCsvReader(
    {
      onHeader: (h) => {
        if (pack) store = new RowStore(h.headers);
      },
    },
    (chunk) => {
      rows += chunk.length;
      store?.append(packRows(chunk));
    },
  );
  for await (const bytes of createReadStream(path, { highWaterMark: 1 << 20 })) reader.push(bytes as Uint8Array);
  const summary = reader.end();
  (store as RowStore | null)?.finish();
  return { seconds: (performance.now() - start) / 1000, rows, headers: summary.headers, store };
}
