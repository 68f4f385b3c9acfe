import { describe, expect, it } from 'vitest';
import { EnvelopePlaintextError, EnvelopePlaintextWriter, envelopePlaintext, envelopeValues } from './envelopePlaintext.ts';

// An independent spelling of the format: LEB128 length then UTF-8, per value; a lone value bare.
function expected(values: readonly string[]): number[] {
  const utf8 = (v: string) => [...new TextEncoder().encode(v)];
  if (values.length === 1) return utf8(values[0] as string);
  return values.flatMap((v) => {
    const bytes = utf8(v);
    const prefix: number[] = [];
    let n = bytes.length;
    do {
      prefix.push(n >= 0x80 ? (n & 0x7f) | 0x80 : n);
      n >>>= 7;
    } while (n > 0);
    return [...prefix, ...bytes];
  });
}

describe('envelope plaintext', () => {
  const cases: string[][] = [
    ['ada@example.com'],
    [''],
    ['ada@example.com', '+33612345678'],
    ['', 'x', ''],
    ['é'.repeat(100), '東京'.repeat(50), '😀'.repeat(40)],
    // Lengths whose varint is 1, 2 and 3 bytes, and a value whose UTF-8 length needs a shorter prefix than its worst case.
    ['a'.repeat(127), 'b'.repeat(128), 'c'.repeat(16_384), 'd'.repeat(50)],
    ['x'.repeat(10_000), '東'.repeat(10_000)],
  ];

  it('is a lone value bare and several values length-prefixed, and splits back to them', () => {
    for (const values of cases) {
      const bytes = envelopePlaintext(values);
      expect([...bytes]).toEqual(expected(values));
      expect(envelopeValues(bytes, values.length)).toEqual(values);
    }
  });

  it('writes the same bytes through one reused writer, however the sizes go up and down', () => {
    const writer = new EnvelopePlaintextWriter();
    for (const values of [...cases, ...cases.slice().reverse()]) {
      expect([...writer.write(values)]).toEqual(expected(values));
    }
  });

  it('refuses a plaintext that does not split exactly into its fields', () => {
    expect(() => envelopeValues(Uint8Array.of(5, 65), 2)).toThrow(EnvelopePlaintextError);
    expect(() => envelopeValues(Uint8Array.of(1, 65), 2)).toThrow(/ends inside an entry/);
    expect(() => envelopeValues(Uint8Array.of(1, 65, 0, 7), 2)).toThrow(/more than its fields/);
    expect(() => envelopeValues(Uint8Array.of(0xff, 0xfe), 1)).toThrow(/not UTF-8/);
    expect(() => envelopeValues(Uint8Array.of(1, 0xff, 0), 2)).toThrow(/not UTF-8/);
    expect(() => envelopeValues(new Uint8Array(10).fill(0x80), 2)).toThrow(/varint too long|ends inside/);
  });
});
