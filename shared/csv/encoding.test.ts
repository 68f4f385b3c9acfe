import { describe, expect, it } from 'vitest';
import { byteOrderMark, detectEncoding, repairWindows1252 } from './encoding.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('detectEncoding', () => {
  it('says utf-8 for ASCII and valid UTF-8', () => {
    expect(detectEncoding(utf8('email,name\na@b.co,Ann\n'))).toBe('utf-8');
    expect(detectEncoding(utf8('Zoë,Köln,日本,😀'))).toBe('utf-8');
  });

  it('says windows-1252 when a byte cannot be UTF-8', () => {
    expect(detectEncoding(new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x0a]))).toBe('windows-1252');
    expect(detectEncoding(new Uint8Array([0x93, 0x41, 0x94]))).toBe('windows-1252');
  });

  it('forgives a multi-byte character cut at the end of a sample, unless the sample is the whole file', () => {
    const cut = utf8('abc€').subarray(0, 4);
    expect(detectEncoding(cut)).toBe('utf-8');
    expect(detectEncoding(cut, true)).toBe('windows-1252');
  });
});

describe('repairWindows1252', () => {
  it('maps every C1 character the way the WHATWG windows-1252 index does', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
    const repaired = repairWindows1252(new TextDecoder('latin1').decode(bytes));
    expect([...repaired].map((c) => c.codePointAt(0))).toEqual([
      0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
      0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
    ]);
  });

  it('leaves text without C1 characters alone, call after call', () => {
    expect(repairWindows1252('plain café')).toBe('plain café');
    expect(repairWindows1252('\u0080')).toBe('€');
    expect(repairWindows1252('\u0080')).toBe('€');
  });
});

describe('byteOrderMark', () => {
  it('recognises UTF-8 and UTF-16 marks', () => {
    expect(byteOrderMark(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toEqual({ encoding: 'utf-8', length: 3 });
    expect(byteOrderMark(new Uint8Array([0xff, 0xfe, 0x41, 0]))).toEqual({ encoding: 'utf-16le', length: 2 });
    expect(byteOrderMark(new Uint8Array([0xfe, 0xff, 0, 0x41]))).toEqual({ encoding: 'utf-16be', length: 2 });
    expect(byteOrderMark(utf8('Email'))).toBeNull();
  });
});
