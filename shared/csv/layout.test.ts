import { describe, expect, it } from 'vitest';
import { detectDelimiter, sniffLayout } from './layout.ts';

describe('detectDelimiter', () => {
  it('ignores delimiters inside quotes', () => {
    expect(detectDelimiter('a;b\n"x, y, z";2\n"p, q";3\n', '\n', true)).toBe(';');
  });

  it('does not let a cut last line of a sample vote', () => {
    expect(detectDelimiter('a|b|c\n1|2|3\n4|5|6\nx,y,z,w,v,u', '\n', false)).toBe('|');
  });

  it('falls back to a comma for one-column files', () => {
    expect(detectDelimiter('email\na@b.co\n', '\n', true)).toBe(',');
  });

  it('on equal consistency prefers more columns', () => {
    expect(detectDelimiter('a,b;c;d\n1,2;3;4\n', '\n', true)).toBe(';');
  });
});

describe('sniffLayout', () => {
  it('reads CR-only files with a CR newline and everything else with LF', () => {
    expect(sniffLayout('a,b\r1,2\r', true).newline).toBe('\r');
    expect(sniffLayout('a,b\r\n1,2\r\n', true)).toEqual({ delimiter: ',', newline: '\n', lineEnding: 'crlf', skip: 0 });
    expect(sniffLayout('a,b\n1,2\n', true).lineEnding).toBe('lf');
  });

  it("takes Excel's sep= line as the delimiter and skips it, unless the user chose one", () => {
    expect(sniffLayout('sep=|\r\na|b\r\n', true)).toEqual({ delimiter: '|', newline: '\n', lineEnding: 'crlf', skip: 7 });
    expect(sniffLayout('sep=|\na;b\n', true, ';').delimiter).toBe(';');
  });

  it('ignores an override that cannot be a delimiter', () => {
    expect(sniffLayout('a;b\n1;2\n', true, '"').delimiter).toBe(';');
    expect(sniffLayout('a;b\n1;2\n', true, '\n').delimiter).toBe(';');
  });
});
