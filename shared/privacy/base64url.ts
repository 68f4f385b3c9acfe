/**
 * base64url without padding (RFC 4648 §5), by hand: the tab, workerd and Node must run the same code, `Buffer` is
 * not in the browser and `Uint8Array.toBase64` is not in Node 20. A lookup table keeps it cheap at a million cells.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE_OF = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE_OF[ALPHABET.charCodeAt(i)] = i;

export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (i < n) {
    const rest = n - i;
    const v = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]!;
    if (rest === 2) out += ALPHABET[(v >> 6) & 63]!;
  }
  return out;
}

/** The bytes of an unpadded base64url text; throws on any other character or an impossible length. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const n = text.length;
  if (n % 4 === 1) throw new Error('not base64url: impossible length');
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let o = 0;
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? (VALUE_OF[code] as number) : -1;
    if (v < 0) throw new Error('not base64url: unexpected character');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

/** Whether `text` is unpadded base64url of a length some byte string has, without decoding it. */
export function isBase64url(text: string): boolean {
  return text.length % 4 !== 1 && /^[A-Za-z0-9_-]*$/.test(text);
}
