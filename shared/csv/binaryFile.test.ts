import { describe, expect, it } from 'vitest';
import { binaryFileProblem } from './binaryFile.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('binaryFileProblem', () => {
  it('accepts text, including tabs, form feeds and a DOS end-of-file mark', () => {
    expect(binaryFileProblem(utf8('a\tb\r\n1\t2\f\u001a'))).toBeNull();
    expect(binaryFileProblem(utf8('Zoë,日本\n'))).toBeNull();
  });

  it('refuses any NUL byte in the first KB', () => {
    expect(binaryFileProblem(new Uint8Array([0x41, 0x42, 0, 0x43]))).toMatch(/binary data/);
  });

  it('tolerates a stray control character but not many', () => {
    expect(binaryFileProblem(utf8(`name\u0007,x\n${'abc,def\n'.repeat(20)}`))).toBeNull();
    expect(binaryFileProblem(utf8('\u0001\u0002\u0003abcdefgh'))).toMatch(/control characters/);
  });

  it('names workbooks and PDFs', () => {
    expect(binaryFileProblem(new Uint8Array([0x50, 0x4b, 0x03, 0x04]))).toMatch(/\.xlsx/);
    expect(binaryFileProblem(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]))).toMatch(/\.xls\)/);
    expect(binaryFileProblem(utf8('%PDF-1.7'))).toMatch(/PDF/);
  });
});
