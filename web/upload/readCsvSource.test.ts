import { describe, expect, it } from 'vitest';
import { RowStore } from '../rows/rowStore.ts';
import type { ParseMessage } from './parseMessages.ts';
import { type CsvSource, readCsvSource } from './readCsvSource.ts';

async function read(source: CsvSource, options = {}, signal?: AbortSignal) {
  const messages: ParseMessage[] = [];
  await readCsvSource(source, options, (m) => messages.push(m), signal);
  // Rebuild what the tab would hold, the way parseFile does.
  let store: RowStore | null = null;
  for (const m of messages) {
    if (m.type === 'start') {
      store = new RowStore(m.header.headers);
      store.append(m.chunk);
    } else if (m.type === 'rows') store?.append(m.chunk);
    else if (m.type === 'restart') store = null;
  }
  return { messages, store, types: messages.map((m) => m.type).filter((t) => t !== 'progress') };
}

function rowsOf(store: RowStore | null): string[][] {
  if (!store) return [];
  return Array.from({ length: store.rowCount }, (_, r) => Array.from({ length: store.fieldCount(r) }, (_, c) => store.get(r, c) ?? ''));
}

/** A Blob read the way browsers stream a File: in 64 KiB slices. */
function blob(...parts: (string | Uint8Array)[]): CsvSource {
  const whole = new Blob(parts as BlobPart[]);
  return {
    size: whole.size,
    stream: () => {
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          if (at >= whole.size) return controller.close();
          controller.enqueue(new Uint8Array(await whole.slice(at, at + 65_536).arrayBuffer()));
          at += 65_536;
        },
      });
    },
  };
}

describe('readCsvSource', () => {
  it('sends a small file as one start message holding every row, then done', async () => {
    const csv = 'Email;Name\r\na@x.com;"Dupont; Jean"\r\n\r\nb@y.org;"two\r\nlines"\r\n';
    const { messages, store, types } = await read(blob(csv));
    expect(types).toEqual(['start', 'done']);
    expect(store?.headers).toEqual(['Email', 'Name']);
    expect(rowsOf(store)).toEqual([
      ['a@x.com', 'Dupont; Jean'],
      ['b@y.org', 'two\r\nlines'],
    ]);
    const done = messages.at(-1);
    if (done?.type !== 'done') throw new Error('no done message');
    expect(done.summary.delimiter).toBe(';');
    expect(done.progress).toEqual({ bytesRead: csv.length, totalBytes: csv.length, rows: 2 });
  });

  it('sends the first rows early even when the whole file arrives in one read', async () => {
    const csv = `a,b\n${'1,2\n'.repeat(50_000)}`;
    const { messages, store } = await read(new Blob([csv]));
    const first = messages[0];
    expect(first?.type === 'start' && first.chunk.rowCount).toBeLessThan(10_000);
    expect(store?.rowCount).toBe(50_000);
  });

  it('streams a big file: first rows at once, then full chunks, every row exactly once and in order', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => [`C${i}`, `user${i}@example.com`, i % 11 === 0 ? 'quoted, "value"' : `note ${i}`]);
    const csv = `Id,Email,Note\n${rows.map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n')}\n`;
    const { messages, store, types } = await read(blob(csv));
    expect(types[0]).toBe('start');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'rows').length).toBeGreaterThan(1);
    const first = messages[0];
    expect(first?.type === 'start' && first.chunk.rowCount).toBeGreaterThan(0);
    expect(first?.type === 'start' && first.chunk.rowCount).toBeLessThan(rows.length);
    expect(rowsOf(store)).toEqual(rows);
    const done = messages.at(-1);
    expect(done?.type === 'done' && done.progress).toEqual({ bytesRead: new TextEncoder().encode(csv).length, totalBytes: new TextEncoder().encode(csv).length, rows: 60_000 });
  });

  it('starts over as Windows-1252 when an invalid UTF-8 byte shows up after the sniffed prefix', async () => {
    const ascii = Array.from({ length: 3000 }, (_, i) => `user${i}@example.com,Name ${i}`).join('\n');
    // 0xE9 is "é" in Windows-1252 and an invalid lone byte in UTF-8; 0x80 is "€".
    const { messages, store, types } = await read(blob('Email,Name\n', ascii, '\nlast@example.com,Ren', new Uint8Array([0xe9, 0x20, 0x80]), '\n'));
    expect(types.filter((t) => t !== 'rows')).toEqual(['start', 'restart', 'start', 'done']);
    const restart = messages.find((m) => m.type === 'restart');
    expect(restart?.type === 'restart' && restart.encoding).toBe('windows-1252');
    const starts = messages.filter((m) => m.type === 'start');
    expect(starts.map((m) => m.type === 'start' && m.encodingFallback)).toEqual([false, true]);
    const done = messages.at(-1);
    expect(done?.type === 'done' && [done.encodingFallback, done.summary.encoding]).toEqual([true, 'windows-1252']);
    expect(store?.rowCount).toBe(3001);
    expect(store?.get(3000, 1)).toBe('René €');
  });

  it('re-parses with the delimiter and encoding the user picked', async () => {
    const csv = 'a;b,c\n1;2,3\n';
    const detected = await read(blob(csv));
    const forced = await read(blob(csv), { delimiter: ';' });
    expect(detected.store?.headers).toEqual(['a;b', 'c']);
    expect(forced.store?.headers).toEqual(['a', 'b,c']);
    const latin = await read(blob('Name\n', new Uint8Array([0x52, 0x65, 0x6e, 0xc3, 0xa9]), '\n'), { encoding: 'windows-1252' });
    expect(latin.store?.get(0, 0)).toBe('RenÃ©');
  });

  it('does not second-guess an encoding the user chose', async () => {
    const ascii = 'a,b\n' + '1,2\n'.repeat(20_000);
    const { messages, types } = await read(blob(ascii, new Uint8Array([0xe9]), '\n'), { encoding: 'utf-8' });
    expect(types.filter((t) => t !== 'rows')).toEqual(['start', 'error']);
    const error = messages.at(-1);
    expect(error?.type === 'error' && error.failure.code).toBe('invalid_encoding');
  });

  it('reports unreadable files as typed failures', async () => {
    const failure = async (...parts: (string | Uint8Array)[]) => {
      const { messages } = await read(blob(...parts));
      const last = messages.at(-1);
      return last?.type === 'error' ? last.failure.code : last?.type;
    };
    expect(await failure('')).toBe('empty_file');
    expect(await failure('\n\n')).toBe('empty_file');
    expect(await failure('Email,Name\r\n')).toBe('header_only');
    expect(await failure(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toBe('binary_file');
    // A quote never closed is read as a character (the row is flagged), not a reason to refuse the file.
    expect(await failure('Email,Name\nfoo,"bar\n')).toBe('done');
  });

  it('turns a failing read into a read_failed message', async () => {
    const broken: CsvSource = {
      size: 10,
      stream: () =>
        new ReadableStream<Uint8Array>({
          pull: (controller) => controller.error(new Error('NotReadableError')),
        }),
    };
    const { messages } = await read(broken);
    expect(messages).toEqual([{ type: 'error', failure: { code: 'read_failed', message: expect.stringContaining('NotReadableError'), row: null } }]);
  });

  it('stops quietly when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const { messages } = await read(blob('a,b\n1,2\n'), {}, controller.signal);
    expect(messages).toEqual([]);
  });
});
