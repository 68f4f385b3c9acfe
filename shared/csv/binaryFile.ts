/** How many leading bytes are inspected for signs of a non-text file. */
export const BINARY_SNIFF_BYTES = 1024;

const SIGNATURES: { bytes: number[]; message: string }[] = [
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    message: 'This looks like an Excel workbook (.xlsx) or a ZIP archive, not a CSV file. In Excel, use File › Save As › "CSV UTF-8" and upload that file.',
  },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0],
    message: 'This looks like an old Excel workbook (.xls), not a CSV file. In Excel, use File › Save As › "CSV UTF-8" and upload that file.',
  },
  { bytes: [0x25, 0x50, 0x44, 0x46], message: 'This is a PDF document, not a CSV file. Export the list as CSV and upload that file.' },
  { bytes: [0x1f, 0x8b], message: 'This is a compressed (gzip) file. Unpack it and upload the CSV file inside.' },
];

function isControl(byte: number): boolean {
  // Tab, LF, VT, FF, CR and the DOS end-of-file mark (0x1A) do turn up in real text exports.
  return (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0b && byte !== 0x0c && byte !== 0x0d && byte !== 0x1a) || byte === 0x7f;
}

/**
 * A message for the user when the first bytes of a file say it is not text (a workbook, a PDF, an image…), else
 * null. NUL bytes never occur in text files (the grid's row store relies on that), a few stray control characters
 * may: more than 1 in 20 is taken as binary.
 */
export function binaryFileProblem(bytes: Uint8Array): string | null {
  for (const signature of SIGNATURES) {
    if (signature.bytes.every((b, i) => bytes[i] === b)) return signature.message;
  }
  const end = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  let controls = 0;
  for (let i = 0; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === 0) return 'This file is not a text file (it contains binary data). Upload a CSV file exported as text.';
    if (isControl(byte)) controls++;
  }
  if (end > 0 && controls * 20 > end) {
    return 'This file is not a text file (it contains control characters). Upload a CSV file exported as text.';
  }
  return null;
}
