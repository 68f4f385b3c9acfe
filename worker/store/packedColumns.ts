/*
 * The packed stored form of a member's `attributes`, `hashes` and `sealed` (issue 12: ≤ 300 bytes a member). Each
 * column is a BLOB; a member written before this form holds the JSON text of migration 0190 (objects keyed by field
 * number, a value equal to identifier_key as the number 0), and `decodeMemberColumns` reads both, so no rewrite of
 * stored members is needed for readers to work. Field numbers are the workspace's `member_field_refs` (given once,
 * never reused), so a packed member always decodes to the names it was written with.
 *
 * Integers are unsigned LEB128 varints (a number under 128 is one byte).
 *
 * attributes := entry*      entry := varint(ref) ( varint(2 · n) <n bytes of UTF-8> | varint(1) )
 *   varint(1) instead of a length: the value is the member's identifier_key (stored once, as in 0190).
 * hashes := entry*          entry := varint(ref) ( varint(2 · 16) <16 bytes> | varint(1) )
 *   the keyed hash (HMAC-SHA-256, worker/crypto/sensitiveKey.ts) truncated to its first 128 bits (RFC 2104 §5 allows
 *   truncation to half the output). Nothing looks a member up by these (dedupe and lookups go through
 *   identifier_key, which keeps the full hash); they say which sensitive fields a member holds and keep the means of
 *   a later lookup. A sensitive identifier's own hash IS identifier_key: varint(1), decoded as the full key.
 *   Decoded as lowercase hex: 32 characters, or identifier_key's 64 for the marker. An entry may also hold the full
 *   32 bytes: how a copy that must not depend on the member's key (a snapshot: sealing in place may re-key the
 *   member before an undo restores it) writes the identifier's hash out instead of the marker.
 * sealed := envelope*, newest first: a field's sealed value is in the FIRST envelope naming it.
 *   envelope := kind:u8 varint(fieldCount) varint(ref)·fieldCount [kind 2: varint(n) <n ASCII bytes: batch key id>]
 *               varint(n) <n bytes: nonce(12) ‖ ciphertext ‖ tag(16)>
 *   Both kinds' plaintext (shared/privacy/envelopePlaintext.ts, the one definition the tab seals with too) is the
 *   UTF-8 value when the envelope names one field, and `varint(n) <n bytes of UTF-8>` per field, in the envelope's
 *   field order, when it names more (one encryption and one nonce and tag per member and write, not one a value).
 *   kind 1 (server): AES-256-GCM under ENCRYPTION_KEY (worker/crypto/aesGcm.ts), one envelope per member and write.
 *   kind 2 (private): sealed in the tab (privacy mode) under its batch's key (sealed_batch_keys: its id here, its
 *     cipher in that row); the bytes are a cell's `c` as the tab sent it, base64url-decoded. One field per envelope
 *     from tabs that sealed each value apart (and 0190's `pk1.` text); one envelope per row, naming the row's sealed
 *     fields in column order, from tabs that seal a row at once (shared/schema/privacy.ts SealedAlongCell).
 * A write that seals only some of a member's sensitive fields puts its envelope first; an older envelope all of whose
 * fields a newer one names is dropped on merge (mergeMemberValues). Nothing here decrypts.
 */

// Moved to shared/ (the tab seals private envelopes with it); the bytes are the same, and Worker code imports it here.
export { envelopePlaintext, envelopeValues } from '../../shared/privacy/envelopePlaintext.ts';

/** What a member's stored columns hold, by field name. */
export type MemberValues = {
  attributes: Record<string, string>;
  hashes: Record<string, string>;
  /** Newest first. */
  sealed: SealedEnvelope[];
};

export type SealedEnvelope =
  | { kind: 'server'; fields: string[]; bytes: Uint8Array }
  | { kind: 'private'; fields: string[]; batchKeyId: string; bytes: Uint8Array };

/** Where one field's sealed value is: its envelope and its position among the envelope's fields. */
export type SealedRef = { envelope: SealedEnvelope; index: number };

/** A field name's number in one workspace (member_field_refs), and the way back. */
export type RefsByName = ReadonlyMap<string, number>;
export type NamesByRef = ReadonlyMap<number, string>;

const KIND_SERVER = 1;
const KIND_PRIVATE = 2;
const MARKER = 1;
export const HASH_BYTES = 16;

export class PackedColumnError extends Error {}

/** A growable byte buffer; reused across members by whoever packs many (reset between members). */
export class PackWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private static readonly encoder = new TextEncoder();

  reset(): this {
    this.len = 0;
    return this;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new PackedColumnError(`not a varint: ${n}`);
    this.room(8);
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The bytes of hex characters `start` to `end` of `hex` (either case), as they are: a stored entry a merge keeps. */
  hexRun(hex: string, start: number, end: number): void {
    this.room((end - start) / 2);
    for (let at = start; at < end; at += 2) {
      const hi = HEX_VALUE[hex.charCodeAt(at)] ?? -1;
      const lo = HEX_VALUE[hex.charCodeAt(at + 1)] ?? -1;
      if (hi < 0 || lo < 0) throw new PackedColumnError('not hex');
      this.buf[this.len++] = (hi << 4) | lo;
    }
  }

  /** varint(2 · byteLength) then the UTF-8 of `s` (the entry form of attributes). */
  utf8Entry(s: string): void {
    // Worst case 3 bytes a UTF-16 unit; the length prefix is written after encoding, so reserve its largest size.
    this.room(s.length * 3 + 8);
    if (s.length < 64 && this.asciiEntry(s)) return;
    const start = this.len + varintSize(s.length * 6);
    const { written } = PackWriter.encoder.encodeInto(s, this.buf.subarray(start));
    const prefix = varintSize(written * 2);
    const at = this.len;
    if (prefix !== start - at) this.buf.copyWithin(at + prefix, start, start + written);
    this.len = at;
    this.varint(written * 2);
    this.len += written;
  }

  /**
   * utf8Entry for a short all-ASCII value (most attribute values): its UTF-8 is its char codes and its prefix one
   * byte, so it is copied in JavaScript. encodeInto is a native call with a view made for it, which for a value of a
   * few characters costs ≈ 3× the copy (Node 20; utf8Entry was 4.6 % of server-side ingest in workerd's profile).
   * False, with nothing written, when a character is not ASCII.
   */
  private asciiEntry(s: string): boolean {
    const n = s.length;
    const buf = this.buf;
    const start = this.len + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[start + i] = c;
    }
    buf[this.len] = n * 2;
    this.len = start + n;
    return true;
  }

  get length(): number {
    return this.len;
  }

  /** Whether bytes `start` to `end` are those of `hex` (either case): a merged column that came out as stored. */
  sameAsHex(start: number, end: number, hex: string): boolean {
    if (hex.length !== (end - start) * 2) return false;
    for (let i = start, at = 0; i < end; i++, at += 2) {
      if ((((HEX_VALUE[hex.charCodeAt(at)] ?? -1) << 4) | (HEX_VALUE[hex.charCodeAt(at + 1)] ?? -1)) !== this.buf[i]) return false;
    }
    return true;
  }

  /** Bytes `start` to `end` as lowercase hex. */
  hexOfRange(start: number, end: number): string {
    return hexOf(this.buf.subarray(start), end - start);
  }

  /** A copy of what was written. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** What was written as uppercase-free lowercase hex: how a BLOB travels to D1 inside a JSON parameter (`unhex(…)`). */
  toHex(): string {
    return hexOf(this.buf, this.len);
  }
}

const HEX_DIGIT_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const ascii = new TextDecoder();
let hexScratch = new Uint8Array(1024);

/*
 * Hex of the first `len` bytes, written as ASCII codes and decoded once: appending two characters a byte built a
 * rope of hundreds of pieces a column, which cost ≈ 20 µs a member to build and as much again for JSON.stringify to
 * flatten (5,000 members, Node 20); this gives a flat string in ≈ 1 µs.
 */
function hexOf(bytes: Uint8Array, len: number): string {
  if (hexScratch.length < len * 2) hexScratch = new Uint8Array(Math.max(len * 2, hexScratch.length * 2));
  const out = hexScratch;
  for (let i = 0, at = 0; i < len; i++, at += 2) {
    const b = bytes[i] as number;
    out[at] = HEX_DIGIT_CODES[b >> 4] as number;
    out[at + 1] = HEX_DIGIT_CODES[b & 15] as number;
  }
  return ascii.decode(out.subarray(0, len * 2));
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

export function bytesToHex(bytes: Uint8Array): string {
  return hexOf(bytes, bytes.length);
}

/** Hex text (either case) from `start` on → bytes; a table lookup a digit (a merge reads thousands of columns). */
export function hexToBytes(hex: string, start = 0): Uint8Array {
  const n = (hex.length - start) / 2;
  if (!Number.isInteger(n) || n < 0) throw new PackedColumnError('not hex');
  const out = new Uint8Array(n);
  for (let i = 0, at = start; i < n; i++, at += 2) {
    const hi = HEX_VALUE[hex.charCodeAt(at)] ?? -1;
    const lo = HEX_VALUE[hex.charCodeAt(at + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new PackedColumnError('not hex');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function refOf(refs: RefsByName, name: string): number {
  const ref = refs.get(name);
  if (ref === undefined) throw new PackedColumnError(`field "${name}" has no number in member_field_refs`);
  return ref;
}

/** Plain values by field name → the packed `attributes` (a value equal to `identifierKey` stored as the marker). */
export function packAttributes(w: PackWriter, values: Record<string, string>, refs: RefsByName, identifierKey: string | null): void {
  for (const name in values) {
    w.varint(refOf(refs, name));
    const value = values[name] as string;
    if (value === identifierKey) w.varint(MARKER);
    else w.utf8Entry(value);
  }
}

/**
 * Keyed hashes (lowercase hex, at least 128 bits) by field name → the packed `hashes`: each truncated to 128 bits,
 * one equal to `identifierKey` stored as the marker, or in full with `writeOutKey` (a snapshot, see the header).
 */
export function packHashes(w: PackWriter, hashes: Record<string, string>, refs: RefsByName, identifierKey: string | null, writeOutKey = false): void {
  for (const name in hashes) {
    w.varint(refOf(refs, name));
    const hash = hashes[name] as string;
    if (hash === identifierKey) {
      if (writeOutKey) {
        w.varint(hash.length);
        w.bytes(hexToBytes(hash));
      } else {
        w.varint(MARKER);
      }
      continue;
    }
    if (hash.length < HASH_BYTES * 2) throw new PackedColumnError(`the hash of field "${name}" is shorter than 128 bits`);
    w.varint(HASH_BYTES * 2);
    w.bytes(hexToBytes(hash.slice(0, HASH_BYTES * 2)));
  }
}

/** Envelopes (newest first) → the packed `sealed`. */
export function packSealed(w: PackWriter, envelopes: readonly SealedEnvelope[], refs: RefsByName): void {
  for (const e of envelopes) {
    if (e.fields.length === 0) throw new PackedColumnError('an envelope names no field');
    w.byte(e.kind === 'server' ? KIND_SERVER : KIND_PRIVATE);
    w.varint(e.fields.length);
    for (const name of e.fields) w.varint(refOf(refs, name));
    if (e.kind === 'private') {
      if (!/^[\x21-\x7e]+$/.test(e.batchKeyId)) throw new PackedColumnError('a batch key id is printable ASCII');
      w.varint(e.batchKeyId.length);
      for (let i = 0; i < e.batchKeyId.length; i++) w.byte(e.batchKeyId.charCodeAt(i));
    }
    w.varint(e.bytes.length);
    w.bytes(e.bytes);
  }
}

/** An unsigned LEB128 varint from a reader of bytes (BLOB or hex text), refusing one past 2^49. */
function readVarint(reader: { byte(): number }, what: string): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    const b = reader.byte();
    n += (b & 0x7f) * scale;
    if (b < 0x80) return n;
    scale *= 0x80;
    if (scale > 2 ** 49) throw new PackedColumnError(`${what} holds a varint too long`);
  }
}

class Reader {
  at = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly what: string,
  ) {}

  get done(): boolean {
    return this.at >= this.b.length;
  }

  byte(): number {
    if (this.at >= this.b.length) throw new PackedColumnError(`${this.what} ends inside an entry`);
    return this.b[this.at++] as number;
  }

  varint(): number {
    return readVarint(this, this.what);
  }

  take(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw new PackedColumnError(`${this.what} ends inside a value`);
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function nameOf(names: NamesByRef, ref: number, what: string): string {
  const name = names.get(ref);
  if (name === undefined) throw new PackedColumnError(`${what} names field number ${ref}, which member_field_refs does not hold`);
  return name;
}

/** attributes and hashes share one entry shape; only what their bytes mean differs. */
function unpackEntries(bytes: Uint8Array, names: NamesByRef, identifierKey: string, what: string, valueOf: (b: Uint8Array) => string): Record<string, string> {
  const r = new Reader(bytes, what);
  const out: Record<string, string> = {};
  while (!r.done) {
    const name = nameOf(names, r.varint(), what);
    const len = r.varint();
    if (len === MARKER) out[name] = identifierKey;
    else if (len % 2 === 0) out[name] = valueOf(r.take(len / 2));
    else throw new PackedColumnError(`${what} hold an odd length for "${name}"`);
  }
  return out;
}

const decodeUtf8 = (b: Uint8Array) => utf8.decode(b);

export function unpackAttributes(bytes: Uint8Array, names: NamesByRef, identifierKey: string): Record<string, string> {
  return unpackEntries(bytes, names, identifierKey, 'attributes', decodeUtf8);
}

export function unpackHashes(bytes: Uint8Array, names: NamesByRef, identifierKey: string): Record<string, string> {
  return unpackEntries(bytes, names, identifierKey, 'hashes', bytesToHex);
}

export function unpackSealed(bytes: Uint8Array, names: NamesByRef): SealedEnvelope[] {
  const r = new Reader(bytes, 'sealed');
  const out: SealedEnvelope[] = [];
  while (!r.done) {
    const kind = r.byte();
    const count = r.varint();
    if (count === 0) throw new PackedColumnError('sealed holds an envelope naming no field');
    const fields: string[] = [];
    for (let i = 0; i < count; i++) fields.push(nameOf(names, r.varint(), 'sealed'));
    if (kind === KIND_SERVER) {
      out.push({ kind: 'server', fields, bytes: r.take(r.varint()).slice() });
    } else if (kind === KIND_PRIVATE) {
      const batchKeyId = String.fromCharCode(...r.take(r.varint()));
      out.push({ kind: 'private', fields, batchKeyId, bytes: r.take(r.varint()).slice() });
    } else {
      throw new PackedColumnError(`sealed holds an envelope of unknown kind ${kind}`);
    }
  }
  return out;
}

/** The newest envelope naming `field`, and the field's position in it. */
export function sealedRefOf(envelopes: readonly SealedEnvelope[], field: string): SealedRef | undefined {
  for (const envelope of envelopes) {
    const index = envelope.fields.indexOf(field);
    if (index >= 0) return { envelope, index };
  }
  return undefined;
}

/** Every sealed field of a member, each at its newest envelope. */
export function sealedRefs(envelopes: readonly SealedEnvelope[]): Map<string, SealedRef> {
  const out = new Map<string, SealedRef>();
  for (const envelope of envelopes) envelope.fields.forEach((f, index) => (out.has(f) ? null : out.set(f, { envelope, index })));
  return out;
}

/**
 * `written` applied over `stored`: a value written replaces the stored one of its field, a field not written keeps
 * its stored value (as json_patch did for the JSON form); envelopes newest first, an older envelope all of whose
 * fields a newer one names dropped.
 */
export function mergeMemberValues(stored: MemberValues, written: MemberValues): MemberValues {
  const sealed: SealedEnvelope[] = [];
  const named = new Set<string>();
  for (const e of [...written.sealed, ...stored.sealed]) {
    if (e.fields.every((f) => named.has(f))) continue;
    sealed.push(e);
    for (const f of e.fields) named.add(f);
  }
  return { attributes: { ...stored.attributes, ...written.attributes }, hashes: { ...stored.hashes, ...written.hashes }, sealed };
}

const PRIVATE_PREFIX = 'pk1.';

/** A 0190 JSON `sealed` value → its envelope: `pk1.<batch key id>.<base64url c>` (privacy mode) or base64 (server). */
export function envelopeOfStoredText(field: string, stored: string): SealedEnvelope {
  if (stored.startsWith(PRIVATE_PREFIX)) {
    const dot = stored.indexOf('.', PRIVATE_PREFIX.length);
    if (dot < 0) throw new PackedColumnError(`the sealed value of "${field}" names no batch key`);
    return { kind: 'private', fields: [field], batchKeyId: stored.slice(PRIVATE_PREFIX.length, dot), bytes: base64Bytes(stored.slice(dot + 1)) };
  }
  return { kind: 'server', fields: [field], bytes: base64Bytes(stored) };
}

/** Standard or URL-safe base64, padded or not. */
function base64Bytes(text: string): Uint8Array {
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(std)) throw new PackedColumnError('a sealed value is not base64');
  const binary = atob(std.padEnd(Math.ceil(std.length / 4) * 4, '='));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

type NumberedJson = Record<string, string | 0>;

function parseNumbered(text: string, what: string): NumberedJson {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new PackedColumnError(`${what} is not a JSON object`);
  for (const v of Object.values(parsed)) if (typeof v !== 'string' && v !== 0) throw new PackedColumnError(`${what} holds a value that is neither text nor the key marker`);
  return parsed as NumberedJson;
}

function namedOf(json: NumberedJson, names: NamesByRef, identifierKey: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [ref, v] of Object.entries(json)) out[nameOf(names, Number(ref), what)] = v === 0 ? identifierKey : v;
  return out;
}

/** A stored column as D1 gives it: JSON text (migration 0190's form) or a BLOB (ArrayBuffer; number[] from some clients). */
export type StoredColumn = string | ArrayBuffer | Uint8Array | number[];

function bytesOf(column: Exclude<StoredColumn, string>): Uint8Array {
  if (column instanceof Uint8Array) return column;
  if (Array.isArray(column)) return Uint8Array.from(column);
  return new Uint8Array(column);
}

/** One member's three stored columns → its values by field name, whichever form each column is in. */
export function decodeMemberColumns(
  row: { identifier_key: string; attributes: StoredColumn; hashes: StoredColumn; sealed: StoredColumn },
  names: NamesByRef,
): MemberValues {
  const key = row.identifier_key;
  const attributes =
    typeof row.attributes === 'string' ? namedOf(parseNumbered(row.attributes, 'attributes'), names, key, 'attributes') : unpackAttributes(bytesOf(row.attributes), names, key);
  const hashes = typeof row.hashes === 'string' ? namedOf(parseNumbered(row.hashes, 'hashes'), names, key, 'hashes') : unpackHashes(bytesOf(row.hashes), names, key);
  let sealed: SealedEnvelope[];
  if (typeof row.sealed === 'string') {
    sealed = [];
    for (const [ref, v] of Object.entries(parseNumbered(row.sealed, 'sealed'))) {
      if (v === 0) throw new PackedColumnError('sealed holds the key marker');
      const field = nameOf(names, Number(ref), 'sealed');
      sealed.push(envelopeOfStoredText(field, v));
    }
  } else {
    sealed = unpackSealed(bytesOf(row.sealed), names);
  }
  return { attributes, hashes, sealed };
}

/**
 * A member's values → the three packed columns as hex (for `unhex(…)` in a json_each parameter). With
 * `markers: false` nothing refers to the member's key: values equal to it are written out (snapshots).
 */
export function packedColumnsHex(
  w: PackWriter,
  values: MemberValues,
  refs: RefsByName,
  identifierKey: string,
  options: { markers?: boolean } = {},
): [attributes: string, hashes: string, sealed: string] {
  const markers = options.markers ?? true;
  packAttributes(w.reset(), values.attributes, refs, markers ? identifierKey : null);
  const attributes = w.toHex();
  packHashes(w.reset(), values.hashes, refs, identifierKey, !markers);
  const hashes = w.toHex();
  packSealed(w.reset(), values.sealed, refs);
  return [attributes, hashes, w.toHex()];
}


/*
 * Merging and snapshotting at the level of packed entries (issue 12: the CPU of a merged member). A merge touches only
 * the fields a write names; every other stored entry (its field number, length and bytes) is copied through as it is,
 * instead of being decoded to a name and a string and encoded again. Stored field numbers need no name here: numbers
 * are the workspace's, never reused, so a copied entry means what it meant. Byte for byte the result is what
 * packing mergeMemberValues(decoded stored, written) gives, field order included (stored order, written fields new
 * to the member after). Both work on the columns' hex text, as D1 gives it to the Worker and takes it back
 * (members.ts taggedHex, unhex): entries are found by their headers without the columns being turned to bytes; a
 * merge turns to bytes only the entries it keeps, and a snapshot is the stored text but for its marker entries.
 */

/** A member's three stored packed columns as hex text (lowercase or uppercase), without any tag. */
export type PackedColumns = { attributes: string; hashes: string; sealed: string };

/**
 * The three columns as hex for `unhex(…)` in a json_each parameter (what a snapshot copies keeps the stored text's
 * case), null for "exactly as stored": the statement keeps or copies the stored column instead of being sent it.
 */
export type PackedHexOrStored = [attributes: string | null, hashes: string | null, sealed: string | null];

/** Reads bytes and varints off hex text without allocating: `at` (a character index) moves past what was read. */
class HexCursor {
  at = 0;
  hex = '';
  what = '';

  over(hex: string, what: string): this {
    if (hex.length % 2 !== 0) throw new PackedColumnError(`${what} is not hex`);
    this.hex = hex;
    this.at = 0;
    this.what = what;
    return this;
  }

  get done(): boolean {
    return this.at >= this.hex.length;
  }

  byte(): number {
    if (this.at >= this.hex.length) throw new PackedColumnError(`${this.what} ends inside an entry`);
    const hi = HEX_VALUE[this.hex.charCodeAt(this.at)] ?? -1;
    const lo = HEX_VALUE[this.hex.charCodeAt(this.at + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new PackedColumnError(`${this.what} is not hex`);
    this.at += 2;
    return (hi << 4) | lo;
  }

  varint(): number {
    return readVarint(this, this.what);
  }

  /**
   * Past `n` bytes, unread: their text is SQLite's hex(). Copied into a snapshot as it is, a character that were not
   * hex would make unhex(…) NULL, which the NOT NULL columns refuse; PackWriter.hexRun checks what it turns to bytes.
   */
  skip(n: number): void {
    const end = this.at + n * 2;
    if (end > this.hex.length) throw new PackedColumnError(`${this.what} ends inside a value`);
    this.at = end;
  }

  /** Past one attributes or hashes entry's length and value (after its field number); whether it is the marker. */
  skipEntryValue(): boolean {
    const len = this.varint();
    if (len === MARKER) return true;
    if (len % 2 !== 0) throw new PackedColumnError(`${this.what} hold an odd length`);
    this.skip(len / 2);
    return false;
  }
}

const cursor = new HexCursor();

type EntryWriter = (w: PackWriter, ref: number, value: string, identifierKey: string) => void;

const writeAttribute: EntryWriter = (w, ref, value, identifierKey) => {
  w.varint(ref);
  if (value === identifierKey) w.varint(MARKER);
  else w.utf8Entry(value);
};

const writeHash: EntryWriter = (w, ref, hash, identifierKey) => {
  w.varint(ref);
  if (hash === identifierKey) return w.varint(MARKER);
  if (hash.length < HASH_BYTES * 2) throw new PackedColumnError(`a hash of field number ${ref} is shorter than 128 bits`);
  w.varint(HASH_BYTES * 2);
  w.bytes(hexToBytes(hash.slice(0, HASH_BYTES * 2)));
};

/** Stored attributes or hashes with `written` over them: stored entries of fields not written copied through. */
function mergeEntries(w: PackWriter, stored: string, written: Record<string, string>, refs: RefsByName, identifierKey: string, what: string, write: EntryWriter): void {
  const names = Object.keys(written);
  const writtenRefs = names.map((n) => refOf(refs, n));
  const done = new Uint8Array(names.length);
  const c = cursor.over(stored, what);
  let run = 0;
  while (!c.done) {
    const start = c.at;
    const ref = c.varint();
    c.skipEntryValue();
    const i = writtenRefs.indexOf(ref);
    if (i < 0) continue;
    w.hexRun(stored, run, start);
    run = c.at;
    if (done[i] === 1) continue;
    done[i] = 1;
    write(w, ref, written[names[i] as string] as string, identifierKey);
  }
  w.hexRun(stored, run, stored.length);
  for (let i = 0; i < names.length; i++) if (done[i] === 0) write(w, writtenRefs[i] as number, written[names[i] as string] as string, identifierKey);
}

/** Past an envelope's key id (private) and bytes, after its field numbers. */
function skipEnvelopeRest(c: HexCursor, kind: number): void {
  if (kind === KIND_PRIVATE) c.skip(c.varint());
  else if (kind !== KIND_SERVER) throw new PackedColumnError(`sealed holds an envelope of unknown kind ${kind}`);
  c.skip(c.varint());
}

/**
 * Whether a packed member already holds exactly these sensitive values: for each `[ref, hash]`, its stored hashes
 * entry is the hash's first 128 bits (or the identifier marker, when the hash is the member's key), and some
 * envelope in its sealed column names the field. Then a write of the same values has nothing new to seal: the stored
 * envelope holds them (a keyed HMAC-128 match is a value match short of a 2^-128 chance). False when anything is
 * missing or does not read. Reads the hex text as D1 returns it (either case), allocating nothing per entry.
 */
export function packedHoldsHashes(stored: PackedColumns, wanted: readonly (readonly [ref: number, hash: string])[], identifierKey: string): boolean {
  if (wanted.length === 0) return true;
  try {
    const found = new Uint8Array(wanted.length);
    let left = wanted.length;
    const c = cursor.over(stored.hashes, 'hashes');
    while (!c.done && left > 0) {
      const ref = c.varint();
      const start = c.at;
      const marker = c.skipEntryValue();
      for (let i = 0; i < wanted.length; i++) {
        const [wantedRef, hash] = wanted[i] as readonly [number, string];
        if (wantedRef !== ref || found[i] === 1) continue;
        const same = marker ? hash === identifierKey : sameHashPrefix(stored.hashes, start, c.at, hash);
        if (!same) return false;
        found[i] = 1;
        left--;
      }
    }
    if (left > 0) return false;
    const named = new Uint8Array(wanted.length);
    let unnamed = wanted.length;
    const e = cursor.over(stored.sealed, 'sealed');
    while (!e.done && unnamed > 0) {
      const kind = e.byte();
      const count = e.varint();
      for (let k = 0; k < count; k++) {
        const ref = e.varint();
        for (let i = 0; i < wanted.length; i++) {
          if (named[i] === 0 && (wanted[i] as readonly [number, string])[0] === ref) {
            named[i] = 1;
            unnamed--;
          }
        }
      }
      skipEnvelopeRest(e, kind);
    }
    return unnamed === 0;
  } catch (err) {
    if (err instanceof PackedColumnError) return false;
    throw err;
  }
}

/**
 * Whether the hashes entry in `hex` between `from` (its length varint) and `to` starts with `hash`'s first 128 bits:
 * the 16-byte form, or the full 32 bytes a restored snapshot may hold. Either length's varint is one byte (two
 * characters); case aside, as SQLite's hex() is upper case.
 */
function sameHashPrefix(hex: string, from: number, to: number, hash: string): boolean {
  if (to - from < 2 + HASH_BYTES * 2 || hash.length < HASH_BYTES * 2) return false;
  for (let i = 0; i < HASH_BYTES * 2; i++) {
    const a = hex.charCodeAt(from + 2 + i) | 0x20;
    if (a !== (hash.charCodeAt(i) | 0x20)) return false;
  }
  return true;
}

/** Stored sealed envelopes behind the written ones, an envelope all of whose fields newer ones name dropped. */
function mergeSealed(w: PackWriter, stored: string, written: readonly SealedEnvelope[], refs: RefsByName): void {
  const named: number[] = [];
  const kept: SealedEnvelope[] = [];
  for (const e of written) {
    let fresh = false;
    for (const f of e.fields) {
      const ref = refOf(refs, f);
      if (named.includes(ref)) continue;
      named.push(ref);
      fresh = true;
    }
    if (fresh) kept.push(e);
  }
  packSealed(w, kept, refs);
  const c = cursor.over(stored, 'sealed');
  let run = 0;
  while (!c.done) {
    const start = c.at;
    const kind = c.byte();
    const count = c.varint();
    if (count === 0) throw new PackedColumnError('sealed holds an envelope naming no field');
    let fresh = false;
    for (let i = 0; i < count; i++) {
      const ref = c.varint();
      if (named.includes(ref)) continue;
      named.push(ref);
      fresh = true;
    }
    skipEnvelopeRest(c, kind);
    if (fresh) continue;
    w.hexRun(stored, run, start);
    run = c.at;
  }
  w.hexRun(stored, run, stored.length);
}

/**
 * A member's stored packed columns with a write merged over them (mergeMemberValues' rules), as hex, without decoding
 * what the write does not touch; a column that comes out byte for byte as stored is null (a re-import of unchanged
 * values: nothing to send back). `identifierKey` is the member's: its stored markers are copied, values equal to it
 * written as the marker. A malformed stored column is a PackedColumnError (the caller decodes that member instead,
 * whose error names what is wrong).
 */
export function mergePackedColumnsHex(w: PackWriter, stored: PackedColumns, written: MemberValues, refs: RefsByName, identifierKey: string): PackedHexOrStored {
  mergeEntries(w.reset(), stored.attributes, written.attributes, refs, identifierKey, 'attributes', writeAttribute);
  const attributes = w.length;
  mergeEntries(w, stored.hashes, written.hashes, refs, identifierKey, 'hashes', writeHash);
  const hashes = w.length;
  mergeSealed(w, stored.sealed, written.sealed, refs);
  const end = w.length;
  const same = [w.sameAsHex(0, attributes, stored.attributes), w.sameAsHex(attributes, hashes, stored.hashes), w.sameAsHex(hashes, end, stored.sealed)];
  const bounds = [0, attributes, hashes, end];
  const first = same.indexOf(false);
  if (first < 0) return [null, null, null];
  // What is sent made hex in one call: a TextDecoder call costs about as much as the hex of a whole member's
  // columns (≈ 0.5 µs in Node), so one call instead of three.
  const from = bounds[first] as number;
  const hex = w.hexOfRange(from, end);
  const column = (i: number) => (same[i] ? null : hex.slice(((bounds[i] as number) - from) * 2, ((bounds[i + 1] as number) - from) * 2));
  return [column(0), column(1), column(2)];
}

/** Stored attributes or hashes as hex, every marker entry's value written out by `writeKey`; null if none holds it. */
function withoutMarkers(w: PackWriter, stored: string, what: string, writeKey: (w: PackWriter) => void): string | null {
  const c = cursor.over(stored, what);
  let out = '';
  let run = 0;
  while (!c.done) {
    const start = c.at;
    const ref = c.varint();
    if (!c.skipEntryValue()) continue;
    w.reset().varint(ref);
    writeKey(w);
    out += stored.slice(run, start) + w.toHex();
    run = c.at;
  }
  return run === 0 ? null : out + stored.slice(run);
}

/**
 * The snapshot form (`packedColumnsHex` with `markers: false`) of a member's stored packed columns, as hex: the
 * stored text, but for entries holding the marker, whose value (the key) is written out. A column without a marker
 * entry, and sealed (which holds none), is null: exactly as stored, copied by the statement from the member itself.
 */
export function snapshotPackedColumnsHex(w: PackWriter, stored: PackedColumns, identifierKey: string): PackedHexOrStored {
  const attributes = withoutMarkers(w, stored.attributes, 'attributes', (w) => w.utf8Entry(identifierKey));
  const hashes = withoutMarkers(w, stored.hashes, 'hashes', (w) => {
    w.varint(identifierKey.length);
    w.bytes(hexToBytes(identifierKey));
  });
  // Walked as a merge reads it (an envelope of unknown kind is an error here too), then copied whole.
  const c = cursor.over(stored.sealed, 'sealed');
  while (!c.done) {
    const kind = c.byte();
    const count = c.varint();
    if (count === 0) throw new PackedColumnError('sealed holds an envelope naming no field');
    for (let i = 0; i < count; i++) c.varint();
    skipEnvelopeRest(c, kind);
  }
  return [attributes, hashes, null];
}
