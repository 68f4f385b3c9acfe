/** Encodings the reader decodes. UTF-16 is only ever chosen from a byte-order mark (Excel's "Unicode Text"). */
export type CsvEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export type ByteOrderMark = { encoding: CsvEncoding; length: number };

export function byteOrderMark(bytes: Uint8Array): ByteOrderMark | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * 'utf-8' when `sample` is valid UTF-8, else 'windows-1252' (what Excel on Windows writes for "CSV").
 * A sample cut from a longer file may end in the middle of a multi-byte character: that is not held against it
 * unless `complete` says the sample is the whole file.
 */
export function detectEncoding(sample: Uint8Array, complete = false): 'utf-8' | 'windows-1252' {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(sample, { stream: !complete });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

// WHATWG index-windows-1252 for 0x80–0x9F (0x81, 0x8D, 0x8F, 0x90, 0x9D map to themselves).
const C1_TO_WINDOWS_1252 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const HAS_C1 = /[\u0080-\u009f]/;
const ALL_C1 = /[\u0080-\u009f]/g;

/**
 * Node ≥ 20.18.3 and workerd decode 'windows-1252' as Latin-1 (nodejs/node#60888, cloudflare/workerd#6027):
 * € and curly quotes come out as C1 control characters. Mapping the C1 range afterwards is right everywhere,
 * since a correct decoder never produces those characters except for the five bytes that map to themselves.
 */
export function repairWindows1252(text: string): string {
  return HAS_C1.test(text) ? text.replace(ALL_C1, (c) => C1_TO_WINDOWS_1252[c.charCodeAt(0) - 0x80] ?? c) : text;
}

export const ENCODING_LABELS: Record<CsvEncoding, string> = {
  'utf-8': 'UTF-8',
  'windows-1252': 'Windows-1252 (Western European)',
  'utf-16le': 'UTF-16 (little-endian)',
  'utf-16be': 'UTF-16 (big-endian)',
};
