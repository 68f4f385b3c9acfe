/*
 * The plaintext of an envelope naming one or more fields, in both kinds of envelope: the Worker's server envelopes
 * (worker/store/packedColumns.ts, kind 1) and privacy mode's private ones, sealed in the tab (kind 2, one per row).
 * One definition, so the tab seals exactly what the Worker splits:
 *
 *   one field:   the value's UTF-8 bytes (so a lone value is byte for byte a per-value envelope of before)
 *   more fields: varint(n) <n bytes of UTF-8> per value, in the envelope's field order
 *
 * varint: unsigned LEB128 (a number under 128 is one byte), as everywhere in the packed member form.
 */

/** A plaintext that does not split into the values its envelope names: cut, padded, or not UTF-8. */
export class EnvelopePlaintextError extends Error {}

/**
 * Writes envelope plaintexts into one buffer it reuses: what a sealer wants for thousands of rows (one allocation
 * instead of one a row; each answer is a view valid until the next `write`). WebCrypto's encrypt copies its input
 * when called, so the view may be handed to it and the writer used again at once.
 */
export class EnvelopePlaintextWriter {
  private static readonly encoder = new TextEncoder();
  private buf = new Uint8Array(1_024);

  /** The plaintext of `values` (in the envelope's field order), a view into this writer's buffer. */
  write(values: readonly string[]): Uint8Array<ArrayBuffer> {
    const encoder = EnvelopePlaintextWriter.encoder;
    if (values.length === 1) {
      const value = values[0] as string;
      this.room(value.length * 3, 0);
      return this.buf.subarray(0, encoder.encodeInto(value, this.buf).written);
    }
    let len = 0;
    for (const value of values) {
      // At most 3 UTF-8 bytes a UTF-16 unit; the prefix is reserved at its largest size and moved down if smaller.
      const most = value.length * 3;
      const reserved = varintSize(most);
      this.room(len + reserved + most, len);
      const { written } = encoder.encodeInto(value, this.buf.subarray(len + reserved));
      const prefix = varintSize(written);
      if (prefix !== reserved) this.buf.copyWithin(len + prefix, len + reserved, len + reserved + written);
      len = writeVarint(this.buf, len, written);
      len += written;
    }
    return this.buf.subarray(0, len);
  }

  /** At least n bytes of buffer, the first `keep` of them kept. */
  private room(n: number, keep: number): void {
    if (n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(n, this.buf.length * 2));
    next.set(this.buf.subarray(0, keep));
    this.buf = next;
  }
}

// Written into and copied out of at once (synchronously), so one writer serves every call.
const oneAtATime = new EnvelopePlaintextWriter();

/** The plaintext of an envelope naming `values.length` fields (see above), as fresh bytes. */
export function envelopePlaintext(values: readonly string[]): Uint8Array<ArrayBuffer> {
  return oneAtATime.write(values).slice();
}

/** The values of an envelope's plaintext, in its field order; throws EnvelopePlaintextError unless it splits exactly. */
export function envelopeValues(plaintext: Uint8Array, fieldCount: number): string[] {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const text = (bytes: Uint8Array): string => {
    try {
      return decoder.decode(bytes);
    } catch {
      throw new EnvelopePlaintextError('an envelope holds a value that is not UTF-8');
    }
  };
  if (fieldCount === 1) return [text(plaintext)];
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < fieldCount; i++) {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (at >= plaintext.length) throw new EnvelopePlaintextError('an envelope ends inside an entry');
      const b = plaintext[at++] as number;
      n += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new EnvelopePlaintextError('an envelope holds a varint too long');
    }
    if (at + n > plaintext.length) throw new EnvelopePlaintextError('an envelope ends inside a value');
    out.push(text(plaintext.subarray(at, at + n)));
    at += n;
  }
  if (at !== plaintext.length) throw new EnvelopePlaintextError('an envelope holds more than its fields');
  return out;
}

/** Bytes of n as an unsigned LEB128 varint. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Writes n as a varint at `at` (room checked by the caller); answers the position after it. */
function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[at++] = n;
  return at;
}
