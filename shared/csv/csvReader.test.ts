import { describe, expect, it } from 'vitest';
import { createCsvReader, CsvError, lineOfRow, MAX_ROW_CHARS, SNIFF_BYTES, type CsvReaderOptions, type CsvSummary } from './index.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

type Read = { rows: string[][]; numbers: number[]; summary: CsvSummary };

/** Reads `bytes` pushed in the given pieces; records every row with the row number the reader gave it. */
function read(pieces: Uint8Array[], options: CsvReaderOptions = {}): Read {
  const rows: string[][] = [];
  const numbers: number[] = [];
  const reader = createCsvReader(options, (batch, first) => {
    batch.forEach((row, i) => {
      rows.push(row);
      numbers.push(first + i);
    });
  });
  for (const piece of pieces) reader.push(piece);
  return { rows, numbers, summary: reader.end() };
}

const readText = (text: string, options?: CsvReaderOptions) => read([utf8(text)], options);

function rowsBeforeError(pieces: Uint8Array[], options: CsvReaderOptions = {}): { error: CsvError; rows: string[][] } {
  const rows: string[][] = [];
  const reader = createCsvReader(options, (batch) => rows.push(...batch));
  try {
    for (const piece of pieces) reader.push(piece);
    reader.end();
  } catch (error) {
    if (error instanceof CsvError) return { error, rows };
    throw error;
  }
  throw new Error('expected a CsvError');
}

/** Deterministic pseudo-random numbers, so a failing chunking can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.slice(from, cut));
    from = cut;
  }
  return pieces;
}

function randomPieces(bytes: Uint8Array, seed: number, maxPiece: number): Uint8Array[] {
  const random = mulberry32(seed);
  const cuts: number[] = [];
  for (let at = 1 + Math.floor(random() * maxPiece); at < bytes.length; at += 1 + Math.floor(random() * maxPiece)) cuts.push(at);
  return split(bytes, cuts);
}

/** Every awkward thing at once: multi-byte characters (2, 3 and 4 bytes), quoted delimiters, doubled quotes,
 * quoted CRLF and LF, blank lines, a ragged row, CRLF line ends. */
const TRICKY_ROWS =
  '"Zoë ""Zed"" Åström","zoe@example.com","Line one\r\nline two, with comma"\r\n' +
  'José,jose@example.es,"日本語, 😀 emoji"\r\n' +
  '\r\n' +
  '"","",""\r\n' +
  'Ragged,row\r\n' +
  '"€ sign",e@example.com,"ends with quote """\r\n' +
  'last,"multi\nline",😀😀\r\n';
const TRICKY = `Name,Email,Note\r\n${TRICKY_ROWS}`;

function padding(bytes: number): string {
  const line = 'Filler Name,filler@example.com,plain note text\r\n';
  return line.repeat(Math.ceil(bytes / line.length));
}

describe('createCsvReader: basics', () => {
  it('reads the header and data rows with 1-based row numbers', () => {
    const { rows, numbers, summary } = readText('Email,First name\na@example.com,Ann\nb@example.com,Bob\n');
    expect(rows).toEqual([
      ['a@example.com', 'Ann'],
      ['b@example.com', 'Bob'],
    ]);
    expect(numbers).toEqual([1, 2]);
    expect(summary).toEqual({
      headers: ['Email', 'First name'],
      rawHeaders: ['Email', 'First name'],
      delimiter: ',',
      encoding: 'utf-8',
      encodingLabel: 'UTF-8',
      hadBom: false,
      lineEnding: 'lf',
      rowCount: 2,
      raggedRowCount: 0,
      malformedQuoteRow: null,
      malformedQuoteRowCount: 0,
      rowLines: { rows: [1], lines: [2] },
    });
  });

  it('reports the header before the first rows', () => {
    const events: string[] = [];
    const reader = createCsvReader({ onHeader: (h) => events.push(`header ${h.headers.join('|')}`) }, (rows, first) =>
      events.push(`rows ${first}+${rows.length}`),
    );
    reader.push(utf8('a,b\n1,2\n'));
    reader.end();
    expect(events).toEqual(['header a|b', 'rows 1+1']);
  });

  it('strips a UTF-8 byte-order mark and says it was there', () => {
    const withBom = readText('\ufeffEmail,Name\nx@example.com,X\n');
    expect(withBom.summary.headers).toEqual(['Email', 'Name']);
    expect(withBom.summary.hadBom).toBe(true);
    expect(readText('Email,Name\nx@example.com,X\n').summary.hadBom).toBe(false);
  });

  it('reads CRLF, LF, lone CR and mixed line endings alike', () => {
    const expected = [
      ['1', 'a'],
      ['2', 'b'],
    ];
    const crlf = readText('id,v\r\n1,a\r\n2,b\r\n');
    const lf = readText('id,v\n1,a\n2,b\n');
    const cr = readText('id,v\r1,a\r2,b\r');
    const mixed = readText('id,v\r\n1,a\n2,b\r\n');
    expect([crlf.rows, lf.rows, cr.rows, mixed.rows]).toEqual([expected, expected, expected, expected]);
    expect([crlf.summary.lineEnding, lf.summary.lineEnding, cr.summary.lineEnding]).toEqual(['crlf', 'lf', 'cr']);
    expect(crlf.summary.headers).toEqual(['id', 'v']);
  });

  it('keeps a last row without a line break, even one cut between CR and LF', () => {
    expect(readText('id,v\r\n1,a\r\n2,b').rows).toEqual([['1', 'a'], ['2', 'b']]);
    expect(readText('id,v\r\n1,a\r\n2,"b"\r').rows).toEqual([['1', 'a'], ['2', 'b']]);
  });

  it('reads quoted delimiters, doubled quotes and line breaks inside quotes', () => {
    const { rows } = readText(TRICKY);
    expect(rows).toEqual([
      ['Zoë "Zed" Åström', 'zoe@example.com', 'Line one\r\nline two, with comma'],
      ['José', 'jose@example.es', '日本語, 😀 emoji'],
      ['', '', ''],
      ['Ragged', 'row'],
      ['€ sign', 'e@example.com', 'ends with quote "'],
      ['last', 'multi\nline', '😀😀'],
    ]);
  });

  it('skips blank lines without counting them, and a trailing newline is not a row', () => {
    const { rows, numbers, summary } = readText('\n\nEmail\n\na@example.com\n   \n\r\nb@example.com\n\n');
    expect(rows).toEqual([['a@example.com'], ['b@example.com']]);
    expect(numbers).toEqual([1, 2]);
    expect(summary.rowCount).toBe(2);
  });

  it('passes ragged rows through unchanged and counts them', () => {
    const { rows, summary } = readText('a,b,c\n1,2,3\n1,2\n1,2,3,4,\n');
    expect(rows).toEqual([['1', '2', '3'], ['1', '2'], ['1', '2', '3', '4', '']]);
    expect(summary.raggedRowCount).toBe(2);
  });

  it('gives blank and repeated headers distinct visible names', () => {
    const { summary } = readText(' Email ,,email,Email,Name\n1,2,3,4,5\n');
    expect(summary.headers).toEqual(['Email', 'Column 2', 'email (2)', 'Email (3)', 'Name']);
    expect(summary.rawHeaders).toEqual([' Email ', '', 'email', 'Email', 'Name']);
  });

  it('hands rows over in batches whose row numbers follow on', () => {
    const text = `n\n${Array.from({ length: 30_000 }, (_, i) => `${i + 1}`).join('\n')}\n`;
    const firsts: number[] = [];
    let expectedNext = 1;
    const reader = createCsvReader({}, (rows, first) => {
      expect(first).toBe(expectedNext);
      expect(rows[0]).toEqual([String(first)]);
      expectedNext += rows.length;
      firsts.push(first);
    });
    const bytes = utf8(text);
    for (let at = 0; at < bytes.length; at += 1000) reader.push(bytes.subarray(at, at + 1000));
    expect(reader.end().rowCount).toBe(30_000);
    expect(expectedNext).toBe(30_001);
    expect(firsts.length).toBeGreaterThan(1);
  });

  it('refuses to be used after it ended', () => {
    const reader = createCsvReader({}, () => {});
    reader.push(utf8('a\n1\n'));
    reader.end();
    expect(() => reader.push(utf8('2\n'))).toThrow(/already ended/);
  });
});

describe('createCsvReader: chunk boundaries', () => {
  const whole = readText(TRICKY);

  it('gives the same result for a split at every byte position', () => {
    // The prefix fills the sniff buffer, so the split lands in streaming mode rather than in the initial buffer.
    const prefix = utf8(`Name,Email,Note\r\n${padding(SNIFF_BYTES)}`);
    const body = utf8(TRICKY_ROWS);
    const reference = read([prefix, body]);
    expect(reference.rows.slice(-6)).toEqual(whole.rows);
    for (let cut = 0; cut <= body.length; cut++) {
      const result = read([prefix, body.slice(0, cut), body.slice(cut)]);
      expect(result, `split at byte ${cut}`).toEqual(reference);
    }
    // One whole read per byte position (its malformed row read twice, by papaparse and lenientParse): seconds on a
    // busy machine.
  }, 30_000);

  it('gives the same result pushed one byte at a time', () => {
    const bytes = utf8(`Name,Email,Note\r\n${padding(SNIFF_BYTES + 3000)}${TRICKY_ROWS}`);
    const reference = read([bytes]);
    const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(read(pieces)).toEqual(reference);
    expect(reference.rows.slice(-6)).toEqual(whole.rows);
  });

  it('gives the same result in random chunk sizes', () => {
    const bytes = utf8(`\ufeffName,Email,Note\r\n${`${TRICKY_ROWS}${padding(2000)}`.repeat(36)}`);
    const reference = read([bytes]);
    expect(bytes.length).toBeGreaterThan(SNIFF_BYTES);
    for (let seed = 1; seed <= 20; seed++) {
      const maxPiece = [3, 17, 256, 4096, 70_000][seed % 5] as number;
      expect(read(randomPieces(bytes, seed, maxPiece)), `seed ${seed}, pieces up to ${maxPiece} bytes`).toEqual(reference);
    }
  });
});

describe('createCsvReader: delimiters', () => {
  it.each([
    [',', 'a,b,c\n"1,5",2,3\n'],
    [';', 'a;b;c\n1,5;2;3\n'],
    ['\t', 'a\tb\tc\n1,5\t2\t3\n'],
    ['|', 'a|b|c\n1,5|2|3\n'],
  ])('detects %j', (delimiter, text) => {
    const { rows, summary } = readText(text);
    expect(summary.delimiter).toBe(delimiter);
    expect(rows).toEqual([['1,5', '2', '3']]);
  });

  it('prefers the delimiter that splits rows consistently over one that appears more', () => {
    const { summary } = readText('Name;City\nDupont, Jean, Paul;Paris\nMartin;Lyon\n');
    expect(summary.delimiter).toBe(';');
  });

  it('lets the user override the detected delimiter', () => {
    const { rows, summary } = readText('a;b,c\n1;2,3\n', { delimiter: ';' });
    expect(summary.delimiter).toBe(';');
    expect(rows).toEqual([['1', '2,3']]);
  });

  it("obeys Excel's sep= first line and does not read it as the header", () => {
    const { rows, summary } = readText('sep=;\r\nName;Note\r\nA;x,y,z\r\n');
    expect(summary.delimiter).toBe(';');
    expect(summary.headers).toEqual(['Name', 'Note']);
    expect(rows).toEqual([['A', 'x,y,z']]);
  });

  it('reads a one-column file', () => {
    const { rows, summary } = readText('Email\na@example.com\nb@example.com\n');
    expect(summary.headers).toEqual(['Email']);
    expect(rows).toEqual([['a@example.com'], ['b@example.com']]);
  });
});

describe('createCsvReader: encodings', () => {
  // "Café;Prix\nCrème brûlée;5 €\n“Quote”’s;x" in Windows-1252.
  const windows1252 = new Uint8Array([
    ...utf8('Caf'), 0xe9, ...utf8(';Prix\nCr'), 0xe8, ...utf8('me br'), 0xfb, ...utf8('l'), 0xe9, ...utf8('e;5 '), 0x80,
    ...utf8('\n'), 0x93, ...utf8('Quote'), 0x94, 0x92, ...utf8('s;x\n'),
  ]);

  it('detects Windows-1252 and decodes € and curly quotes', () => {
    const { rows, summary } = read([windows1252]);
    expect(summary.encoding).toBe('windows-1252');
    expect(summary.encodingLabel).toBe('Windows-1252 (Western European)');
    expect(summary.headers).toEqual(['Café', 'Prix']);
    expect(rows).toEqual([
      ['Crème brûlée', '5 €'],
      ['“Quote”’s', 'x'],
    ]);
  });

  it('decodes Windows-1252 the same in any chunking', () => {
    const reference = read([windows1252], { encoding: 'windows-1252' });
    const bytewise = Array.from(windows1252, (b) => new Uint8Array([b]));
    expect(read(bytewise, { encoding: 'windows-1252' })).toEqual(reference);
  });

  it('drops a UTF-8 byte-order mark when the user forces Windows-1252', () => {
    const { summary } = read([utf8('\ufeffName\nx\n')], { encoding: 'windows-1252' });
    expect(summary.headers).toEqual(['Name']);
    expect(summary.hadBom).toBe(true);
  });

  it('stops with invalid_encoding when bad UTF-8 appears after the sniffed start, and never emits U+FFFD', () => {
    const good = `Name,City\n${'Zoë,Köln\n'.repeat(Math.ceil(SNIFF_BYTES / 9) + 500)}`;
    const bytes = new Uint8Array([...utf8(good), ...utf8('Ren'), 0xe9, ...utf8(',Paris\n')]);
    const { error, rows } = rowsBeforeError(randomPieces(bytes, 7, 8192));
    expect(error.code).toBe('invalid_encoding');
    expect(error.message).toMatch(/not valid UTF-8.*Windows-1252/);
    expect(error.row).toBeGreaterThan(7000);
    expect(rows.flat().some((v) => v.includes('\ufffd'))).toBe(false);

    const again = read([bytes], { encoding: 'windows-1252' });
    expect(again.rows.at(-1)).toEqual(['René', 'Paris']);
    // Read as Windows-1252, the UTF-8 "ë" becomes two characters: which is why the caller tells the user.
    expect(again.rows[0]).toEqual(['ZoÃ«', 'KÃ¶ln']);
  });

  it('treats a multi-byte character cut off at the very end of the file as invalid', () => {
    const bytes = new Uint8Array([...utf8(`a\n${'x\n'.repeat(SNIFF_BYTES)}`), 0xe2, 0x82]);
    expect(rowsBeforeError([bytes], { encoding: 'utf-8' }).error.code).toBe('invalid_encoding');
  });

  it('does not hold a character cut at the end of the sniffed bytes against UTF-8', () => {
    const head = 'Name\n';
    const filler = 'x'.repeat(SNIFF_BYTES - head.length - 1);
    // "€" is 3 bytes: the sniff buffer ends after its first byte.
    const bytes = utf8(`${head}${filler}€\nlast\n`);
    const { rows, summary } = read([bytes]);
    expect(summary.encoding).toBe('utf-8');
    expect(rows).toEqual([[`${filler}€`], ['last']]);
  });

  it('reads UTF-16 with a byte-order mark (Excel "Unicode Text")', () => {
    const text = 'Name\tEmail\r\nZoë\tzoe@example.com\r\n';
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      bytes[2 + 2 * i] = text.charCodeAt(i) & 0xff;
      bytes[3 + 2 * i] = text.charCodeAt(i) >> 8;
    }
    const { rows, summary } = read(randomPieces(bytes, 3, 5));
    expect(summary.encoding).toBe('utf-16le');
    expect(summary.delimiter).toBe('\t');
    expect(rows).toEqual([['Zoë', 'zoe@example.com']]);
  });
});

describe('createCsvReader: files that cannot be read', () => {
  it.each([
    ['no bytes at all', ''],
    ['only a byte-order mark', '\ufeff'],
    ['only blank lines', '\r\n\n  \n'],
  ])('empty_file for %s', (_, text) => {
    const { error } = rowsBeforeError([utf8(text)]);
    expect(error.code).toBe('empty_file');
    expect(error.message).toMatch(/empty/);
  });

  it.each([['Email,Name'], ['Email,Name\n'], ['Email,Name\r\n\r\n']])('header_only for %j', (text) => {
    const { error } = rowsBeforeError([utf8(text)]);
    expect(error.code).toBe('header_only');
    expect(error.message).toBe('The file has a header row (Email, Name) but no data rows.');
  });

  it('binary_file for NUL bytes and control characters at the start', () => {
    expect(rowsBeforeError([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])]).error.code).toBe('binary_file');
    const controls = new Uint8Array(200).map((_, i) => (i % 4 === 0 ? 0x01 : 0x41));
    expect(rowsBeforeError([controls]).error.code).toBe('binary_file');
  });

  it('binary_file with a hint for an Excel workbook', () => {
    const { error } = rowsBeforeError([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])]);
    expect(error.code).toBe('binary_file');
    expect(error.message).toMatch(/Excel workbook.*CSV UTF-8/);
  });

  it('binary_file for a NUL character later in the file, so no value ever holds one', () => {
    const bytes = utf8(`a,b\n${'1,2\n'.repeat(SNIFF_BYTES / 2)}3,\u00004\n`);
    const { error, rows } = rowsBeforeError([bytes.subarray(0, SNIFF_BYTES), bytes.subarray(SNIFF_BYTES)]);
    expect(error.code).toBe('binary_file');
    expect(rows.flat().some((v) => v.includes('\u0000'))).toBe(false);
  });

  it('reads past a quote that is never closed once the unfinished value outgrows the limit, instead of buffering the whole file', () => {
    const rows: string[][] = [];
    const reader = createCsvReader({}, (batch) => {
      for (const row of batch) rows.push(row);
    });
    reader.push(utf8('Name,Note\nA,"stray quote\n'));
    const chunk = utf8('filler,line\n'.repeat(100_000));
    for (let pushed = 0; pushed <= MAX_ROW_CHARS + chunk.length; pushed += chunk.length) reader.push(chunk);
    // Read already, before the end of the file: the unfinished value was not held on to.
    expect(rows[0]).toEqual(['A', '"stray quote']);
    expect(rows.length).toBeGreaterThan(MAX_ROW_CHARS / 'filler,line\n'.length);
    const summary = reader.end();
    expect(rows.slice(1).every((r) => r[0] === 'filler' && r[1] === 'line')).toBe(true);
    expect(summary.malformedQuoteRow).toBe(1);
  });

  it('row_too_long names the row and its line when a line without quotes never ends', () => {
    const reader = createCsvReader({}, () => {});
    reader.push(utf8('Name,Note\nA,b\n\nB,'));
    let thrown: unknown = null;
    try {
      const chunk = utf8('x'.repeat(1024 * 1024));
      for (let i = 0; i < 6; i++) reader.push(chunk);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CsvError);
    expect((thrown as CsvError).code).toBe('row_too_long');
    expect((thrown as CsvError).row).toBe(2);
    expect((thrown as CsvError).message).toMatch(/^Row 2 \(line 4 of the file\)/);
  });

  it('too_many_columns above the import limit', () => {
    const header = Array.from({ length: 501 }, (_, i) => `c${i}`).join(',');
    expect(rowsBeforeError([utf8(`${header}\n${header}\n`)]).error.code).toBe('too_many_columns');
  });

  it('flags the first row with a malformed quote', () => {
    const { summary } = readText('Name,Note\nA,x\n"Smith" Jr,y\nC,"z"\n');
    expect(summary.malformedQuoteRow).toBe(2);
  });
});

describe('createCsvReader: stray quotes, read as spreadsheets and Python\'s csv module read them', () => {
  it('keeps an unquoted formula with quotes and commas as literal text, flags the row as ragged, reads the rest', () => {
    const { rows, summary } = readText('Name,Link,Note\nA,=HYPERLINK("http://x","y"),ok\nB,plain,"quoted, fine"\nC,z,w\n');
    expect(rows).toEqual([
      ['A', '=HYPERLINK("http://x"', 'y)', 'ok'],
      ['B', 'plain', 'quoted, fine'],
      ['C', 'z', 'w'],
    ]);
    expect(summary.rowCount).toBe(3);
    expect(summary.raggedRowCount).toBe(1);
    expect(summary.malformedQuoteRow).toBe(1);
    expect(summary.malformedQuoteRowCount).toBe(1);
  });

  it('keeps a quote inside an unquoted value as a character', () => {
    const { rows, summary } = readText('Name,Size\nA,12" pipe\nB,5\n');
    expect(rows).toEqual([
      ['A', '12" pipe'],
      ['B', '5'],
    ]);
    expect(summary.malformedQuoteRow).toBeNull();
  });

  it('ends quoting at a closing quote followed by text, keeping the text, without gluing rows', () => {
    const { rows, summary } = readText('Name,Note\n"Smith" Jr,y\nB,"has ""inner"" quotes"\nC,"x"\n');
    expect(rows).toEqual([
      ['Smith Jr', 'y'],
      ['B', 'has "inner" quotes'],
      ['C', 'x'],
    ]);
    expect(summary.malformedQuoteRowCount).toBe(1);
  });

  it('reads a quote never closed at the end of the file as a character, keeping every row', () => {
    const { rows, summary } = readText('Name,Note\nA,ok\nB,"never closed\nC,x\n');
    expect(rows).toEqual([
      ['A', 'ok'],
      ['B', '"never closed'],
      ['C', 'x'],
    ]);
    expect(summary.malformedQuoteRow).toBe(2);
    const last = readText('Name,Note\nA,ok\nB,"open to the end');
    expect(last.rows).toEqual([
      ['A', 'ok'],
      ['B', '"open to the end'],
    ]);
    expect(last.summary.malformedQuoteRow).toBe(2);
  });

  it('reads the same rows however the bytes are split', () => {
    const text = 'Name,Link,Note\r\nA,=HYPERLINK("http://x","y"),ok\r\n"Smith" Jr,"multi\r\nline",x\r\nC,"open\r\nD,e,f\r\n';
    const whole = readText(text);
    for (let cut = 1; cut < text.length; cut++) {
      const bytes = utf8(text);
      expect(read(split(bytes, [cut])).rows).toEqual(whole.rows);
    }
    expect(whole.rows).toEqual([
      ['A', '=HYPERLINK("http://x"', 'y)', 'ok'],
      ['Smith Jr', 'multi\r\nline', 'x'],
      ['C', '"open'],
      ['D', 'e', 'f'],
    ]);
  });

  it('keeps newlines, tabs and inner spaces inside quoted values', () => {
    const { rows } = readText('Name,Note\nA,"Line one\nLine two, with comma"\nB,"tab\there  two spaces"\n');
    expect(rows).toEqual([
      ['A', 'Line one\nLine two, with comma'],
      ['B', 'tab\there  two spaces'],
    ]);
  });
});

describe('createCsvReader: the line each row starts on', () => {
  const linesOf = (text: string, pieces?: number[]) => {
    const summary = pieces ? read(split(utf8(text), pieces)).summary : readText(text).summary;
    return Array.from({ length: summary.rowCount }, (_, i) => lineOfRow(summary.rowLines, i + 1));
  };

  it('counts the header, multi-line values and blank lines', () => {
    const text = 'Name,Note\nA,one\nB,"two\nlines"\n\nC,"three\nlines\nhere"\nD,x\n';
    expect(linesOf(text)).toEqual([2, 3, 6, 9]);
    expect(linesOf(text.replaceAll('\n', '\r\n'))).toEqual([2, 3, 6, 9]);
    expect(linesOf(text.replaceAll('\n', '\r'))).toEqual([2, 3, 6, 9]);
  });

  it('counts Excel\'s sep= line and the lines of leniently read rows', () => {
    expect(linesOf('sep=;\nName;Note\nA;x\nB;y\n')).toEqual([3, 4]);
    expect(linesOf('Name,Note\n"Smith" Jr,"a\nb"\nC,"open\nD,e\n')).toEqual([2, 4, 5]);
  });

  it('gives the same lines however the bytes are split', () => {
    const text = 'Name,Note\nA,one\nB,"two\nlines"\n\nC,"three\nlines"\nD,"x" y\nE,z';
    const whole = linesOf(text);
    for (let cut = 1; cut < text.length; cut++) expect(linesOf(text, [cut])).toEqual(whole);
  });

  it('keeps one step for a file of one-line rows', () => {
    const { summary } = readText(`a,b\n${'1,2\n'.repeat(1000)}`);
    expect(summary.rowLines).toEqual({ rows: [1], lines: [2] });
    expect(lineOfRow(summary.rowLines, 1000)).toBe(1001);
  });
});
