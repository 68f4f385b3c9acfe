import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeMemberColumns,
  envelopeOfStoredText,
  envelopePlaintext,
  envelopeValues,
  hexToBytes,
  mergeMemberValues,
  mergePackedColumnsHex,
  PackedColumnError,
  packedColumnsHex,
  packedHoldsHashes,
  type PackedColumns,
  PackWriter,
  sealedRefOf,
  sealedRefs,
  snapshotPackedColumnsHex,
  unpackAttributes,
  type MemberValues,
  type SealedEnvelope,
} from './packedColumns.ts';

const refs = new Map([
  ['email', 1],
  ['mobile', 2],
  ['city', 3],
  ['customer_id', 200],
  ['note', 16_500],
]);
const names = new Map([...refs].map(([n, r]) => [r, n]));
const hmacHex = (v: string) => createHmac('sha256', 'k').update(v).digest('hex');

function seal(plaintext: Uint8Array): Uint8Array {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', randomBytes(32), iv);
  return Uint8Array.from(Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]));
}

/** Packs then reads back through D1's shape (the hex becomes bytes, as unhex stores them). */
function roundTrip(values: MemberValues, key: string): MemberValues {
  const [a, h, s] = packedColumnsHex(new PackWriter(), values, refs, key);
  return decodeMemberColumns({ identifier_key: key, attributes: hexToBytes(a).buffer as ArrayBuffer, hashes: hexToBytes(h), sealed: [...hexToBytes(s)] }, names);
}

describe('packed member columns', () => {
  it('give back every value, name and envelope as written, in any script and length', () => {
    const long = 'é'.repeat(200) + '😀'.repeat(50);
    const envelopes: SealedEnvelope[] = [
      { kind: 'server', fields: ['email', 'mobile'], bytes: seal(envelopePlaintext(['ada@example.com', '+33612345678'])) },
      { kind: 'private', fields: ['email'], batchKeyId: 'b_Zx9-01', bytes: seal(new TextEncoder().encode('old@example.com')) },
    ];
    const values: MemberValues = {
      attributes: { city: 'Zürich', customer_id: 'C-1', note: long, empty: '' } as Record<string, string>,
      hashes: { email: hmacHex('ada@example.com'), mobile: hmacHex('+33612345678') },
      sealed: envelopes,
    };
    const extended = new Map([...refs, ['empty', 7]]);
    const w = new PackWriter();
    const [a, h, s] = packedColumnsHex(w, values, extended, 'C-1');
    const back = decodeMemberColumns({ identifier_key: 'C-1', attributes: hexToBytes(a), hashes: hexToBytes(h), sealed: hexToBytes(s) }, new Map([...extended].map(([n, r]) => [r, n])));
    expect(back.attributes).toEqual(values.attributes);
    // Keyed hashes are kept to their first 128 bits.
    expect(back.hashes).toEqual({ email: hmacHex('ada@example.com').slice(0, 32), mobile: hmacHex('+33612345678').slice(0, 32) });
    expect(back.sealed.map((e) => ({ ...e, bytes: [...e.bytes] }))).toEqual(envelopes.map((e) => ({ ...e, bytes: [...e.bytes] })));
  });

  it('store a value equal to identifier_key once, and give it back as the key', () => {
    const key = hmacHex('ada@example.com');
    const values: MemberValues = { attributes: { customer_id: 'C-1' }, hashes: { email: key, mobile: hmacHex('m') }, sealed: [] };
    const [, h] = packedColumnsHex(new PackWriter(), values, refs, key);
    // ref 1, marker 1, ref 2, 32, 16 bytes
    expect(h.length / 2).toBe(2 + 2 + 16);
    const back = roundTrip(values, key);
    expect(back.hashes.email).toBe(key);
    const asAttr = roundTrip({ attributes: { customer_id: 'C-1', city: 'Paris' }, hashes: {}, sealed: [] }, 'C-1');
    expect(asAttr.attributes).toEqual({ customer_id: 'C-1', city: 'Paris' });
    // A member re-keyed later decodes its marker as its new key: callers copying columns elsewhere write it out.
    const [a] = packedColumnsHex(new PackWriter(), { attributes: { customer_id: 'C-1' }, hashes: {}, sealed: [] }, refs, 'C-1');
    expect(unpackAttributes(hexToBytes(a), names, 'C-2')).toEqual({ customer_id: 'C-2' });
    // Written out (a snapshot), the same values decode the same whatever the member's key is by then.
    const [a2, h2] = packedColumnsHex(new PackWriter(), { attributes: { customer_id: key }, hashes: { email: key, mobile: hmacHex('m') }, sealed: [] }, refs, key, { markers: false });
    const later = decodeMemberColumns({ identifier_key: 'another', attributes: hexToBytes(a2), hashes: hexToBytes(h2), sealed: Uint8Array.of() }, names);
    expect(later.attributes).toEqual({ customer_id: key });
    expect(later.hashes).toEqual({ email: key, mobile: hmacHex('m').slice(0, 32) });
  });

  it('read the JSON form members were stored in before (migration 0190), both sealed forms included', () => {
    const server = Buffer.from(seal(new TextEncoder().encode('+33612345678'))).toString('base64');
    const privateC = Buffer.from(seal(new TextEncoder().encode('ada@example.com'))).toString('base64url');
    const key = hmacHex('ada@example.com');
    const row = {
      identifier_key: key,
      attributes: JSON.stringify({ 3: 'Paris', 200: 'C-1' }),
      hashes: JSON.stringify({ 1: 0, 2: hmacHex('+33612345678') }),
      sealed: JSON.stringify({ 1: `pk1.bk_1.${privateC}`, 2: server }),
    };
    const back = decodeMemberColumns(row, names);
    expect(back.attributes).toEqual({ city: 'Paris', customer_id: 'C-1' });
    expect(back.hashes).toEqual({ email: key, mobile: hmacHex('+33612345678') });
    expect(back.sealed).toHaveLength(2);
    expect(sealedRefOf(back.sealed, 'email')?.envelope).toMatchObject({ kind: 'private', batchKeyId: 'bk_1' });
    expect(Buffer.from(sealedRefOf(back.sealed, 'email')?.envelope.bytes ?? []).toString('base64url')).toBe(privateC);
    expect(Buffer.from(sealedRefOf(back.sealed, 'mobile')?.envelope.bytes ?? []).toString('base64')).toBe(server);
    // And packs to the binary form without losing a byte.
    const again = roundTrip(back, key);
    expect(again.attributes).toEqual(back.attributes);
    expect(again.sealed.map((e) => [...e.bytes])).toEqual(back.sealed.map((e) => [...e.bytes]));
  });

  it('merge like json_patch did, the newest envelope winning per field and shadowed ones dropped', () => {
    const e1: SealedEnvelope = { kind: 'server', fields: ['email', 'mobile'], bytes: Uint8Array.of(1) };
    const e2: SealedEnvelope = { kind: 'server', fields: ['email'], bytes: Uint8Array.of(2) };
    const e3: SealedEnvelope = { kind: 'server', fields: ['mobile'], bytes: Uint8Array.of(3) };
    const stored: MemberValues = { attributes: { city: 'Paris', customer_id: 'C-1' }, hashes: { email: 'a', mobile: 'b' }, sealed: [e1] };
    const one = mergeMemberValues(stored, { attributes: { city: 'Lyon' }, hashes: { email: 'c' }, sealed: [e2] });
    expect(one.attributes).toEqual({ city: 'Lyon', customer_id: 'C-1' });
    expect(one.hashes).toEqual({ email: 'c', mobile: 'b' });
    // e1 still holds the only mobile: kept, behind e2.
    expect(one.sealed).toEqual([e2, e1]);
    expect(sealedRefOf(one.sealed, 'email')?.envelope).toBe(e2);
    expect(sealedRefOf(one.sealed, 'mobile')).toEqual({ envelope: e1, index: 1 });
    const two = mergeMemberValues(one, { attributes: {}, hashes: {}, sealed: [e3] });
    expect(two.sealed).toEqual([e3, e2]);
    expect([...sealedRefs(two.sealed)].map(([f, r]) => [f, r.envelope.bytes[0]])).toEqual([
      ['mobile', 3],
      ['email', 2],
    ]);
  });

  it('keep a private envelope naming several fields (one per row, sealed in the tab) byte for byte, and merge it per field', () => {
    const row: SealedEnvelope = { kind: 'private', fields: ['email', 'mobile', 'note'], batchKeyId: 'b_Zx9-01', bytes: seal(envelopePlaintext(['ada@example.com', '+33612345678', 'x'])) };
    const older: SealedEnvelope = { kind: 'private', fields: ['email'], batchKeyId: 'b_old', bytes: seal(envelopePlaintext(['old@example.com'])) };
    const back = roundTrip({ attributes: {}, hashes: {}, sealed: [row, older] }, 'k');
    expect(back.sealed.map((e) => ({ ...e, bytes: [...e.bytes] }))).toEqual([row, older].map((e) => ({ ...e, bytes: [...e.bytes] })));
    expect(sealedRefOf(back.sealed, 'note')).toMatchObject({ envelope: { kind: 'private', batchKeyId: 'b_Zx9-01' }, index: 2 });
    // A later row carrying only email: the row envelope still holds the only mobile and note, so it stays, behind.
    const later: SealedEnvelope = { kind: 'private', fields: ['email'], batchKeyId: 'b_new', bytes: Uint8Array.of(9) };
    const merged = mergeMemberValues({ attributes: {}, hashes: {}, sealed: [row] }, { attributes: {}, hashes: {}, sealed: [later] });
    expect(merged.sealed).toEqual([later, row]);
    expect([...sealedRefs(merged.sealed)].map(([f, r]) => [f, r.envelope === row ? `row ${r.index}` : 'later'])).toEqual([
      ['email', 'later'],
      ['mobile', 'row 1'],
      ['note', 'row 2'],
    ]);
    // Then a row naming all three: the older row envelope has nothing left to say and goes.
    const full: SealedEnvelope = { ...row, batchKeyId: 'b_full', bytes: Uint8Array.of(7) };
    expect(mergeMemberValues(merged, { attributes: {}, hashes: {}, sealed: [full] }).sealed).toEqual([full]);
  });

  it('carry several values in one envelope and give them back in order', () => {
    const values = ['ada@example.com', '', '+33612345678', 'é'.repeat(100)];
    expect(envelopeValues(envelopePlaintext(values), values.length)).toEqual(values);
    expect(envelopeValues(envelopePlaintext(['only']), 1)).toEqual(['only']);
    expect(() => envelopeValues(Uint8Array.of(5, 65), 2)).toThrow(/ends inside a value/);
  });

  it('refuse what they cannot write or read exactly, naming the problem', () => {
    expect(() => packedColumnsHex(new PackWriter(), { attributes: { unknown: 'x' }, hashes: {}, sealed: [] }, refs, 'k')).toThrow(/"unknown" has no number/);
    expect(() => packedColumnsHex(new PackWriter(), { attributes: {}, hashes: { email: 'abc' }, sealed: [] }, refs, 'k')).toThrow(/shorter than 128 bits/);
    expect(() => unpackAttributes(Uint8Array.of(3, 10, 65), names, 'k')).toThrow(/ends inside a value/);
    expect(() => unpackAttributes(Uint8Array.of(99, 2, 65), names, 'k')).toThrow(/field number 99/);
    expect(() => decodeMemberColumns({ identifier_key: 'k', attributes: Uint8Array.of(), hashes: Uint8Array.of(), sealed: Uint8Array.of(9, 1, 1, 0) }, names)).toThrow(/unknown kind 9/);
    expect(() => envelopeOfStoredText('email', 'not base64!')).toThrow(/not base64/);
  });

  it('tell whether a packed member already holds these sensitive values (hashes and an envelope naming each field)', () => {
    const key = hmacHex('ada@example.com');
    const email = key;
    const mobile = hmacHex('+14155550121');
    const values: MemberValues = {
      attributes: { city: 'Paris' },
      hashes: { email, mobile },
      sealed: [{ kind: 'server', fields: ['email', 'mobile'], bytes: seal(envelopePlaintext(['ada@example.com', '+14155550121'])) }],
    };
    const [attributes, hashes, sealed] = packedColumnsHex(new PackWriter(), values, refs, key);
    const stored = { attributes, hashes, sealed };
    const upper = { attributes, hashes: hashes.toUpperCase(), sealed: sealed.toUpperCase() };
    const e = refs.get('email') as number;
    const m = refs.get('mobile') as number;
    // The identifier's hash is the key (stored as the marker); the mobile's first 128 bits; SQLite's hex() case too.
    for (const s of [stored, upper]) {
      expect(packedHoldsHashes(s, [[e, key], [m, mobile]], key)).toBe(true);
      expect(packedHoldsHashes(s, [[m, mobile]], key)).toBe(true);
      expect(packedHoldsHashes(s, [[m, hmacHex('+14155550122')]], key)).toBe(false);
      expect(packedHoldsHashes(s, [[e, hmacHex('other@example.com')]], key)).toBe(false);
    }
    expect(packedHoldsHashes(stored, [], key)).toBe(true);
    // A field with no hash stored, or hashed but named by no envelope, is not held.
    expect(packedHoldsHashes(stored, [[refs.get('note') as number, mobile]], key)).toBe(false);
    const unsealed = packedColumnsHex(new PackWriter(), { ...values, sealed: [{ kind: 'server', fields: ['email'], bytes: seal(envelopePlaintext(['ada@example.com'])) }] }, refs, key);
    expect(packedHoldsHashes({ attributes, hashes, sealed: unsealed[2] }, [[m, mobile]], key)).toBe(false);
    // The full 32-byte form a restored snapshot may hold counts by its first 128 bits.
    const full = packedColumnsHex(new PackWriter(), values, refs, key, { markers: false });
    expect(packedHoldsHashes({ attributes, hashes: full[1], sealed }, [[e, key], [m, mobile]], key)).toBe(true);
    // What does not read is not held (a fresh seal then), never an error.
    expect(packedHoldsHashes({ attributes, hashes: 'zz', sealed }, [[m, mobile]], key)).toBe(false);
    expect(packedHoldsHashes({ attributes, hashes, sealed: sealed.slice(0, 10) }, [[m, mobile]], key)).toBe(false);
  });

  it('write varints past one byte and lengths past 64 bytes exactly', () => {
    const w = new PackWriter();
    for (const n of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 40]) {
      w.reset().varint(n);
      let back = 0;
      let scale = 1;
      for (const b of w.toBytes()) {
        back += (b & 0x7f) * scale;
        scale *= 128;
      }
      expect(back).toBe(n);
    }
    for (const len of [0, 1, 63, 64, 65, 8191, 8192, 20_000]) {
      const value = 'x'.repeat(len);
      expect(roundTrip({ attributes: { city: value }, hashes: {}, sealed: [] }, 'k').attributes.city).toBe(value);
    }
    // Short ASCII values take a copy in JavaScript, others encodeInto: the same bytes, whichever character comes last.
    const encoder = new TextEncoder();
    for (const value of ['', 'a', 'x'.repeat(62) + 'é', 'x'.repeat(63), 'x'.repeat(63) + 'é', 'Zoë', '東京', '\u007f', '\u0080', 'a😀']) {
      const entry = new PackWriter();
      entry.utf8Entry(value);
      const utf8 = encoder.encode(value);
      const prefix = new PackWriter();
      prefix.varint(utf8.length * 2);
      expect([...entry.toBytes()]).toEqual([...prefix.toBytes(), ...utf8]);
    }
  });
});

describe('merging and snapshotting packed columns without decoding them', () => {
  const key = hmacHex('ada@example.com');
  const env = (kind: 'server' | 'private', fields: string[], byte: number): SealedEnvelope =>
    kind === 'server' ? { kind, fields, bytes: Uint8Array.of(byte, byte) } : { kind, fields, batchKeyId: 'bk_1', bytes: Uint8Array.of(byte) };
  // As D1's hex() gives them: uppercase.
  const packed = (values: MemberValues, k: string): PackedColumns => {
    const [a, h, s] = packedColumnsHex(new PackWriter(), values, refs, k);
    return { attributes: a.toUpperCase(), hashes: h.toUpperCase(), sealed: s.toUpperCase() };
  };
  const decoded = (p: PackedColumns, k: string) =>
    decodeMemberColumns({ identifier_key: k, attributes: hexToBytes(p.attributes), hashes: hexToBytes(p.hashes), sealed: hexToBytes(p.sealed) }, names);
  const lower = (hex: string[]) => hex.map((h) => h.toLowerCase());
  // What the merge path did before: decode everything, merge by name, pack again.
  const slowMerge = (p: PackedColumns, written: MemberValues, k: string) => packedColumnsHex(new PackWriter(), mergeMemberValues(decoded(p, k), written), refs, k);

  const members: [string, MemberValues, string][] = [
    ['an identifier stored as the marker, a two-field server envelope', { attributes: { customer_id: 'C-1', city: 'Paris' }, hashes: { email: hmacHex('e'), mobile: hmacHex('m') }, sealed: [env('server', ['email', 'mobile'], 1)] }, 'C-1'],
    ['a sensitive identifier (its hash the marker), private and server envelopes', { attributes: { city: 'Zürich', note: 'é'.repeat(300) }, hashes: { email: key, mobile: hmacHex('m') }, sealed: [env('private', ['email'], 2), env('server', ['email', 'mobile'], 3)] }, key],
    ['a private row envelope naming two fields behind a one-field one', { attributes: { city: 'Oslo' }, hashes: { email: key, mobile: hmacHex('m') }, sealed: [env('private', ['mobile'], 4), env('private', ['email', 'mobile'], 5)] }, key],
    ['nothing stored', { attributes: {}, hashes: {}, sealed: [] }, 'C-2'],
  ];
  const writes: [string, MemberValues][] = [
    ['an unchanged attribute', { attributes: { city: 'Paris' }, hashes: {}, sealed: [] }],
    ['a changed attribute and a new one', { attributes: { city: 'Lyon', note: '😀 new' }, hashes: {}, sealed: [] }],
    ['one field of a two-field envelope', { attributes: {}, hashes: { mobile: hmacHex('m2') }, sealed: [env('server', ['mobile'], 9)] }],
    ['both fields again, the identifier too', { attributes: { customer_id: 'C-1' }, hashes: { email: hmacHex('e2'), mobile: hmacHex('m2') }, sealed: [env('server', ['email', 'mobile'], 8)] }],
    ['the key as a value (the marker), two envelopes of which the second adds nothing', { attributes: { customer_id: key }, hashes: { email: key }, sealed: [env('private', ['email'], 7), env('server', ['email'], 6)] }],
    ['a private row envelope naming both sensitive fields', { attributes: {}, hashes: { email: hmacHex('e3'), mobile: hmacHex('m3') }, sealed: [env('private', ['email', 'mobile'], 3)] }],
  ];

  for (const [memberCase, stored, k] of members) {
    for (const [writeCase, written] of writes) {
      it(`give the bytes the decoded merge gives: ${memberCase}; written ${writeCase}`, () => {
        const p = packed(stored, k);
        const merged = mergePackedColumnsHex(new PackWriter(), p, written, refs, k);
        // null: the column came out exactly as stored.
        const asStored = [p.attributes, p.hashes, p.sealed];
        expect(lower(merged.map((c, i) => c ?? (asStored[i] as string)))).toEqual(slowMerge(p, written, k));
        merged.forEach((c, i) => expect(c === null).toBe(slowMerge(p, written, k)[i] === (asStored[i] as string).toLowerCase()));
      });
    }
    it(`snapshot as packing the decoded member without markers does: ${memberCase}`, () => {
      const p = packed(stored, k);
      const asStored = [p.attributes, p.hashes, p.sealed];
      const snapshot = snapshotPackedColumnsHex(new PackWriter(), p, k).map((c, i) => c ?? (asStored[i] as string));
      expect(lower(snapshot)).toEqual(packedColumnsHex(new PackWriter(), decoded(p, k), refs, k, { markers: false }));
      // Nothing in it refers to the key: read under another key, the values are the member's.
      const [a, h, s] = snapshot as [string, string, string];
      const back = decodeMemberColumns({ identifier_key: 'another', attributes: hexToBytes(a), hashes: hexToBytes(h), sealed: hexToBytes(s) }, names);
      expect(back).toEqual(decoded(p, k));
    });
  }

  it('copy an envelope they only walk (a private one naming several fields) through, or drop it once newer ones name its fields', () => {
    // kind 2, two fields (email 1, mobile 2), key id "bk", 3 bytes: the row envelope of privacy mode.
    const rowEnvelope = Uint8Array.of(2, 2, 1, 2, 2, 98, 107, 3, 10, 11, 12);
    const p: PackedColumns = { attributes: '', hashes: '', sealed: Buffer.from(rowEnvelope).toString('hex') };
    const [, , kept] = mergePackedColumnsHex(new PackWriter(), p, { attributes: {}, hashes: {}, sealed: [env('server', ['email'], 5)] }, refs, 'k');
    // The written envelope (kind 1, one field: email, 2 bytes) first, then the row envelope's bytes as stored.
    expect(kept).toBe(`01010102${'05'.repeat(2)}${Buffer.from(rowEnvelope).toString('hex')}`);
    const [, , dropped] = mergePackedColumnsHex(new PackWriter(), p, { attributes: {}, hashes: {}, sealed: [env('server', ['mobile', 'email'], 5)] }, refs, 'k');
    expect(dropped).toBe('010202010205' + '05');
    // Sealed holds no marker: the snapshot copies it from the member in SQL.
    expect(snapshotPackedColumnsHex(new PackWriter(), p, 'k')).toEqual([null, null, null]);
  });

  it('refuse a malformed stored column as the decoder does', () => {
    const bad: PackedColumns = { attributes: '030a41', hashes: '', sealed: '' };
    expect(() => mergePackedColumnsHex(new PackWriter(), bad, { attributes: {}, hashes: {}, sealed: [] }, refs, 'k')).toThrow(PackedColumnError);
    expect(() => snapshotPackedColumnsHex(new PackWriter(), bad, 'k')).toThrow(PackedColumnError);
    const unknownKind: PackedColumns = { attributes: '', hashes: '', sealed: '09010100' };
    expect(() => snapshotPackedColumnsHex(new PackWriter(), unknownKind, 'k')).toThrow(/unknown kind 9/);
    expect(() => mergePackedColumnsHex(new PackWriter(), unknownKind, { attributes: {}, hashes: {}, sealed: [] }, refs, 'k')).toThrow(/unknown kind 9/);
    // Text that is not hex where a merge must read it, or keep it as bytes.
    expect(() => mergePackedColumnsHex(new PackWriter(), { attributes: '03zz', hashes: '', sealed: '' }, { attributes: {}, hashes: {}, sealed: [] }, refs, 'k')).toThrow(PackedColumnError);
    expect(() => mergePackedColumnsHex(new PackWriter(), { attributes: '0302zz', hashes: '', sealed: '' }, { attributes: {}, hashes: {}, sealed: [] }, refs, 'k')).toThrow(PackedColumnError);
  });
});
