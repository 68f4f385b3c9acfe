import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { RowError } from '../schema/imports.ts';
import { csvCell, CSV_BOM, reportCsvLines, rowErrorsToCsv } from './reportCsv.ts';

const errors: RowError[] = [
  { row: 3, line: 4, column: 'Email', code: 'invalid_email', message: '"bob@" is not a valid email address', value: 'bob@' },
  { row: 7, column: null, code: 'ragged_row', message: 'row has 4 fields, the header has 3', value: null },
  { row: 9, column: 'Notes, misc', code: 'invalid_value', message: 'line one\nline two', value: '=HYPERLINK("http://evil.example","x")' },
];

describe('rowErrorsToCsv', () => {
  it('writes the header and one CRLF-terminated line per error, after a BOM', () => {
    const csv = rowErrorsToCsv(errors);
    expect(csv.startsWith(`${CSV_BOM}Row,Line,Column,Problem,Reason,Value\r\n`)).toBe(true);
    expect(csv.split('\r\n')[1]).toBe(`3,4,Email,invalid_email,"""bob@"" is not a valid email address",bob@`);
    expect(csv.split('\r\n')[2]).toBe('7,,,ragged_row,"row has 4 fields, the header has 3",');
  });

  it('round-trips through a CSV parser, formula cells apart', () => {
    const parsed = Papa.parse<string[]>(rowErrorsToCsv(errors, { bom: false }), { header: false, skipEmptyLines: true }).data;
    expect(parsed).toEqual([
      ['Row', 'Line', 'Column', 'Problem', 'Reason', 'Value'],
      ['3', '4', 'Email', 'invalid_email', '"bob@" is not a valid email address', 'bob@'],
      ['7', '', '', 'ragged_row', 'row has 4 fields, the header has 3', ''],
      ['9', '', 'Notes, misc', 'invalid_value', 'line one\nline two', `'=HYPERLINK("http://evil.example","x")`],
    ]);
  });

  it('writes only the header when there are no errors', () => {
    expect(rowErrorsToCsv([], { bom: false })).toBe('Row,Line,Column,Problem,Reason,Value\r\n');
  });

  it('quotes a cell holding a separator of any locale, so a semicolon-separated Excel cannot split out a formula', () => {
    expect(csvCell("x;=cmd|' /C calc'!A0")).toBe(`"x;'=cmd|' /C calc'!A0"`);
    expect(csvCell('a\tb')).toBe('"a\tb"');
  });
});

describe('csvCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+33 6 12', "'+33 6 12"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', `"'\tx"`],
    ["x;=cmd|' /C calc'!A0", `"x;'=cmd|' /C calc'!A0"`],
    ['a, -5', `"a, '-5"`],
    ['a;b', '"a;b"'],
    ['a|b', '"a|b"'],
    ['  =1+1', "  '=1+1"],
    ['\rx', `"'\rx"`],
    ['a=b', 'a=b'],
    ['say "hi"', '"say ""hi"""'],
    ['a,b', '"a,b"'],
    ['', ''],
  ])('%j → %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('keeps a separator-holding cell whole when a semicolon-locale spreadsheet splits the line', () => {
    const line = [csvCell('x'), csvCell("x;=cmd|' /C calc'!A0"), csvCell('a\t@SUM(1)|+1')].join(',');
    for (const delimiter of [',', ';', '\t', '|']) {
      const cells = Papa.parse<string[]>(line, { delimiter, quoteChar: '"' }).data[0] ?? [];
      expect(cells.length).toBeGreaterThan(0);
      for (const cell of cells) expect(cell.trimStart()).not.toMatch(/^[=+\-@]/);
    }
  });

  it('writes numbers and null plainly', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });
});

describe('reportCsvLines', () => {
  it('yields lazily, so a large report need not be one string', () => {
    function* many(): Generator<RowError> {
      for (let row = 1; row <= 100_000; row++) yield { row, column: 'Email', code: 'empty_identifier', message: 'identifier is empty', value: '' };
    }
    const lines = reportCsvLines(many());
    expect(lines.next().value).toBe('Row,Line,Column,Problem,Reason,Value\r\n');
    expect(lines.next().value).toBe('1,,Email,empty_identifier,identifier is empty,\r\n');
    let count = 2;
    for (const _ of lines) count++;
    expect(count).toBe(100_001);
  });
});
