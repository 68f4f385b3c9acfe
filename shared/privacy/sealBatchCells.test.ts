import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyedHasher } from '../../worker/crypto/keyedHash.ts';
import { sensitiveKey, sensitiveKeyOfCustomerMatchHash } from '../../worker/crypto/sensitiveKey.ts';
import { hashInput } from '../normalize/normalizeValue.ts';
import { FieldType } from '../schema/fields.ts';
import { BatchSealingHeader, PrivateCell, SealedAlongCell, SealedCell, SealingCipher, type WorkspaceSealingKey } from '../schema/privacy.ts';
import { checkCell } from '../validation/importRules.ts';
import { fromBase64url, toBase64url } from './base64url.ts';
import { sealedCellProblem, sealingHeaderProblem } from './cellShape.ts';
import { checkSensitiveCell } from './checkSensitiveCell.ts';
import { EnvelopePlaintextError, envelopeValues } from './envelopePlaintext.ts';
import { openBatchKey as openKey, openSealedBytes, openSealedPlaintexts, openSealedValues, SealedValueError } from './openSealedValues.ts';
import { type CellToSeal, sealBatchCells as sealRows, TAB_SEALING_CIPHER } from './sealBatchCells.ts';

/** Each value sealed as a row of its own: the per-value form (every cell `{ h, c }`), as tabs sealed before rows. */
async function sealWith(key: WorkspaceSealingKey, cells: readonly CellToSeal[], cipher?: SealingCipher): Promise<{ sealing: BatchSealingHeader; cells: SealedCell[] }> {
  const { sealing, rows } = await sealRows(
    key,
    cells.map((c) => [c]),
    cipher,
  );
  return { sealing, cells: rows.map((r) => SealedCell.parse(r[0])) };
}
const sealBatchCells = sealWith;

/** A workspace key pair as the Worker makes it: the public half as GET /api/privacy/key answers it. */
async function workspaceKeyPair(keyId = 'wk-test'): Promise<{ key: WorkspaceSealingKey; privateKey: CryptoKey }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { key: { keyId, publicKey: { kty: 'EC', crv: 'P-256', x: jwk.x ?? '', y: jwk.y ?? '' } }, privateKey: pair.privateKey };
}

// Raw cells of every field type, as a file may hold them (untrimmed, mixed case, national phone, decomposed accent).
const RAW_BY_TYPE: Record<FieldType, string[]> = {
  email: ['  Ada.Lovelace@Example.COM ', 'mailto:Zoe@Example.de'],
  phone: ['(415) 555-2671', '+44 20 7946 0958', '0044 20 7946 0958'],
  first_name: ['  Zoe\u0308  ', 'Jean  Luc'],
  last_name: ['Ñandú', "O'Brien"],
  text: ['line one\r\nline two', ' 東京 '],
  country: ['United  Kingdom', 'DE'],
  url: ['example.com/a?b=c', 'HTTP://Example.com'],
  number: ['1.234,56', '-0,5'],
  date: ['31/12/2024', '2024-02-29'],
};

describe('privacy mode: the tab and the Worker agree', () => {
  it('on the normalized form and the SHA-256 of every field type, and so on the keyed hash', async () => {
    const hasher = await createKeyedHasher(randomBytes(32));
    const { key } = await workspaceKeyPair();
    for (const type of FieldType.options) {
      for (const raw of RAW_BY_TYPE[type]) {
        const context = { type, defaultCountry: 'US' };
        const tab = checkSensitiveCell(raw, context);
        // What classifyRows runs on the Worker for a server-sealed import of the same cell.
        const worker = checkCell(raw, { ...context, sensitive: true });
        if (!tab.ok || !worker.ok) throw new Error(`${type} "${raw}" should be valid`);
        expect(tab.normalized).toBe(worker.value);
        const { cells } = await sealBatchCells(key, [{ type, normalized: tab.normalized }]);
        const h = cells[0]?.h ?? '';
        // An independent digest (node:crypto) of the Worker's hash input.
        expect(h).toBe(createHash('sha256').update(hashInput(type, worker.value), 'utf8').digest('hex'));
        expect(sensitiveKeyOfCustomerMatchHash(hasher, h)).toBe(sensitiveKey(hasher, type, worker.value));
      }
    }
  });

  it('on what an invalid sensitive cell is refused for, without the value', () => {
    const verdict = checkSensitiveCell('ada.example.com', { type: 'email', defaultCountry: 'US' });
    const worker = checkCell('ada.example.com', { type: 'email', sensitive: true, defaultCountry: 'US' });
    expect(verdict.ok).toBe(false);
    if (verdict.ok || worker.ok) return;
    expect(verdict.refused).toEqual({ problem: worker.code, message: worker.message, hint: 'missing @' });
    expect(JSON.stringify(verdict.refused)).not.toContain('ada');
    const phone = checkSensitiveCell('12', { type: 'phone', defaultCountry: 'US' });
    expect(phone.ok ? null : phone.refused).toMatchObject({ problem: 'invalid_phone', hint: '2 digits' });
  });
});

describe.each(SealingCipher.options)('sealBatchCells / openBatchKey / openSealedValues with %s', (cipher) => {
  const sealBatchCells = (key: WorkspaceSealingKey, cells: CellToSeal[]) => sealWith(key, cells, cipher);
  const openBatchKey = (privateKey: CryptoKey, keyId: string, ephemeralKey: string) => openKey(privateKey, keyId, ephemeralKey, cipher);
  const values = ['ada@example.com', '+14155552671', 'Zoë 東京', 'ada@example.com', 'x'.repeat(3_000)];
  const toSeal = values.map((normalized) => ({ type: 'text' as const, normalized }));

  it('seal to the workspace public key; the private key opens them', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const { sealing, cells } = await sealBatchCells(key, toSeal);
    expect(BatchSealingHeader.parse(sealing)).toEqual(sealing);
    expect(sealing.keyId).toBe(key.keyId);
    expect(sealing.cipher).toBe(cipher);
    for (const cell of cells) {
      expect(SealedCell.parse(cell)).toEqual(cell);
      expect(sealedCellProblem(cell)).toBeNull();
    }
    expect(sealingHeaderProblem(sealing)).toBeNull();
    const batchKey = await openBatchKey(privateKey, sealing.keyId, sealing.ephemeralKey);
    expect(await openSealedValues(batchKey, cells.map((c) => c.c))).toEqual(values);
    // Equal values, different envelopes (fresh IV each); IV, ciphertext and tag: 12 + length + 16 bytes.
    expect(cells[0]?.c).not.toBe(cells[3]?.c);
    expect(new Set(cells.map((c) => c.c.slice(0, 16))).size).toBe(values.length);
    expect(fromBase64url(cells[0]?.c ?? '').length).toBe(12 + 'ada@example.com'.length + 16);
    expect(await sealBatchCells(key, [])).toMatchObject({ cells: [] });
  });

  it('use one ephemeral key per call', async () => {
    const { key } = await workspaceKeyPair();
    const first = await sealBatchCells(key, toSeal.slice(0, 1));
    const second = await sealBatchCells(key, toSeal.slice(0, 1));
    expect(first.sealing.ephemeralKey).not.toBe(second.sealing.ephemeralKey);
  });

  it('seal more values than one slice, in order', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const many = Array.from({ length: 9_000 }, (_, i) => `member${i}@example.com`);
    const { sealing, cells } = await sealBatchCells(key, many.map((normalized) => ({ type: 'email' as const, normalized })));
    expect(cells.map((c) => c.h)).toEqual(many.map((v) => createHash('sha256').update(v).digest('hex')));
    expect(await openSealedValues(await openBatchKey(privateKey, sealing.keyId, sealing.ephemeralKey), cells.map((c) => c.c))).toEqual(many);
  });

  it('refuse a tampered envelope, naming which value', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const { sealing, cells } = await sealBatchCells(key, toSeal);
    const batchKey = await openBatchKey(privateKey, sealing.keyId, sealing.ephemeralKey);
    const bytes = fromBase64url(cells[2]?.c ?? '');
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    const tampered = cells.map((c) => c.c);
    tampered[2] = toBase64url(bytes);
    const error = await openSealedValues(batchKey, tampered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealedValueError);
    expect((error as SealedValueError).index).toBe(2);
    // Cut short, or swapped IV: refused as well.
    await expect(openSealedValues(batchKey, [(cells[0]?.c ?? '').slice(0, 30)])).rejects.toBeInstanceOf(SealedValueError);
    await expect(openSealedValues(batchKey, [(cells[1]?.c ?? '').slice(0, 16) + (cells[0]?.c ?? '').slice(16)])).rejects.toThrow(/does not open/);
  });

  it('open the same envelopes as bytes (the packed member form), naming which value does not open', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const { sealing, cells } = await sealBatchCells(key, toSeal);
    const batchKey = await openBatchKey(privateKey, sealing.keyId, sealing.ephemeralKey);
    const bytes = cells.map((c) => fromBase64url(c.c));
    expect(await openSealedBytes(batchKey, bytes)).toEqual(values);
    // A view into a larger buffer (how a decoded column hands them out) opens the same.
    const joined = new Uint8Array(bytes.reduce((n, b) => n + b.length + 3, 0));
    let at = 0;
    const views = bytes.map((b) => {
      joined.set(b, at + 3);
      const view = joined.subarray(at + 3, at + 3 + b.length);
      at += b.length + 3;
      return view;
    });
    expect(await openSealedBytes(batchKey, views)).toEqual(values);
    const altered = bytes.map((b) => b.slice());
    const second = altered[1] as Uint8Array;
    second[20] = (second[20] ?? 0) ^ 1;
    const error = await openSealedBytes(batchKey, altered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealedValueError);
    expect((error as SealedValueError).index).toBe(1);
    await expect(openSealedBytes(batchKey, [bytes[0] as Uint8Array, new Uint8Array(27)])).rejects.toMatchObject({ index: 1, reason: 'too short' });
  });

  it('refuse another private key, another ephemeral key and another keyId', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const other = await workspaceKeyPair();
    const { sealing, cells } = await sealBatchCells(key, toSeal);
    const otherBatch = await sealBatchCells(key, toSeal);
    const sealed = cells.map((c) => c.c);
    await expect(openSealedValues(await openBatchKey(other.privateKey, sealing.keyId, sealing.ephemeralKey), sealed)).rejects.toBeInstanceOf(SealedValueError);
    await expect(openSealedValues(await openBatchKey(privateKey, sealing.keyId, otherBatch.sealing.ephemeralKey), sealed)).rejects.toBeInstanceOf(SealedValueError);
    await expect(openSealedValues(await openBatchKey(privateKey, 'wk-other', sealing.ephemeralKey), sealed)).rejects.toBeInstanceOf(SealedValueError);
  });

  it('refuse a value sealed with this cipher when the header names the other', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const { sealing, cells } = await sealBatchCells(key, toSeal);
    const sealed = cells.map((c) => c.c);
    const otherCipher = SealingCipher.options.find((c) => c !== cipher) as SealingCipher;
    const error = await openSealedValues(await openKey(privateKey, sealing.keyId, sealing.ephemeralKey, otherCipher), sealed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealedValueError);
    expect((error as SealedValueError).index).toBe(0);
  });

  it('check shapes without decrypting', () => {
    expect(sealedCellProblem({ h: 'A'.repeat(64), c: 'a'.repeat(40) })).toMatch(/SHA-256/);
    expect(sealedCellProblem({ h: 'a'.repeat(64), c: 'a'.repeat(20) })).toMatch(/too short/);
    expect(sealedCellProblem({ h: 'a'.repeat(64), c: `${'a'.repeat(40)}+` })).toMatch(/base64url/);
    expect(sealingHeaderProblem({ keyId: 'k', ephemeralKey: 'a'.repeat(86) })).toMatch(/P-256/);
    expect(sealingHeaderProblem({ keyId: 'k', ephemeralKey: 'a'.repeat(87), cipher: 'des' as SealingCipher })).toMatch(/cipher/);
    expect(sealingHeaderProblem({ keyId: 'k', ephemeralKey: 'a'.repeat(87), cipher })).toBeNull();
  });
});

describe.each(SealingCipher.options)('one envelope per row with %s', (cipher) => {
  const cell = (type: FieldType, normalized: string): CellToSeal => ({ type, normalized });
  const table: CellToSeal[][] = [
    [cell('email', 'ada@example.com'), cell('phone', '+14155552671')],
    [cell('email', 'bob@example.org')],
    [],
    [cell('email', 'cy@example.com'), cell('phone', '+442079460958'), cell('text', `Zoë 東京 ${'x'.repeat(3_000)}`)],
  ];
  const sha = (c: CellToSeal) => createHash('sha256').update(hashInput(c.type, c.normalized), 'utf8').digest('hex');

  it('gives the row’s first cell the envelope and every cell its SHA-256; the envelope opens to the row’s values in order', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const { sealing, rows } = await sealRows(key, table, cipher);
    expect(sealing.cipher).toBe(cipher);
    expect(rows.map((r) => r.map((c) => ('c' in c ? 'h,c' : 'h')))).toEqual([['h,c', 'h'], ['h,c'], [], ['h,c', 'h', 'h']]);
    rows.forEach((r, i) => {
      expect(r.map((c) => c.h)).toEqual((table[i] as CellToSeal[]).map(sha));
      r.forEach((c, k) => {
        expect(PrivateCell.parse(c)).toEqual(c);
        expect((k === 0 ? SealedCell : SealedAlongCell).safeParse(c).success).toBe(true);
      });
    });
    const heads = rows.filter((r) => r.length > 0).map((r) => SealedCell.parse(r[0]));
    const batchKey = await openKey(privateKey, sealing.keyId, sealing.ephemeralKey, cipher);
    const plaintexts = await openSealedPlaintexts(batchKey, heads.map((h) => fromBase64url(h.c)));
    const filled = table.filter((r) => r.length > 0);
    expect(plaintexts.map((p, i) => envelopeValues(p, (filled[i] as CellToSeal[]).length))).toEqual(filled.map((r) => r.map((c) => c.normalized)));
    // A row of one value holds its UTF-8 alone: what a per-value envelope held, so openSealedValues reads it as before.
    expect(await openSealedValues(batchKey, [heads[1]?.c ?? ''])).toEqual(['bob@example.org']);
    // One nonce and tag a row: 12 + varint-prefixed values + 16 bytes.
    expect(fromBase64url(heads[0]?.c ?? '').length).toBe(12 + 1 + 15 + 1 + 12 + 16);
    expect(new Set(heads.map((h) => h.c.slice(0, 16))).size).toBe(3);
    expect(await sealRows(key, [], cipher)).toMatchObject({ rows: [] });
  });

  it('seals more rows than one slice, in order', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const many = Array.from({ length: 1_300 }, (_, i) => [cell('email', `member${i}@example.com`), cell('phone', `+1415555${String(i).padStart(4, '0')}`)]);
    const { sealing, rows } = await sealRows(key, many, cipher);
    expect(rows.map((r) => r.map((c) => c.h))).toEqual(many.map((r) => r.map(sha)));
    const batchKey = await openKey(privateKey, sealing.keyId, sealing.ephemeralKey, cipher);
    const plaintexts = await openSealedPlaintexts(batchKey, rows.map((r) => fromBase64url(SealedCell.parse(r[0]).c)));
    expect(plaintexts.map((p) => envelopeValues(p, 2))).toEqual(many.map((r) => r.map((c) => c.normalized)));
  });

  it('refuses a tampered row envelope, naming the lowest one that does not open, and a split into the wrong number of fields', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const { sealing, rows } = await sealRows(key, table, cipher);
    const batchKey = await openKey(privateKey, sealing.keyId, sealing.ephemeralKey, cipher);
    const envelopes = rows.filter((r) => r.length > 0).map((r) => fromBase64url(SealedCell.parse(r[0]).c));
    const altered = envelopes.map((b) => b.slice());
    for (const i of [2, 1]) (altered[i] as Uint8Array)[20] = ((altered[i] as Uint8Array)[20] ?? 0) ^ 1;
    const error = await openSealedPlaintexts(batchKey, altered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealedValueError);
    expect((error as SealedValueError).index).toBe(1);
    const [first] = await openSealedPlaintexts(batchKey, envelopes.slice(0, 1));
    expect(() => envelopeValues(first as Uint8Array, 3)).toThrow(EnvelopePlaintextError);
  });
});

describe('the two ciphers side by side', () => {
  it('the tab names its cipher in the header; a header without cipher parses as the AES-GCM batches before the choice', async () => {
    const { key, privateKey } = await workspaceKeyPair();
    const { sealing, cells } = await sealBatchCells(key, [{ type: 'email', normalized: 'ada@example.com' }], 'chacha20-poly1305');
    expect(sealing.cipher).toBe('chacha20-poly1305');
    expect(await openSealedValues(await openKey(privateKey, sealing.keyId, sealing.ephemeralKey, 'chacha20-poly1305'), cells.map((c) => c.c))).toEqual(['ada@example.com']);
    const old = await sealWith(key, [{ type: 'email', normalized: 'ada@example.com' }]);
    expect(old.sealing.cipher).toBe(TAB_SEALING_CIPHER);
    const { cipher: _, ...legacyHeader } = await sealWith(key, [], 'aes-256-gcm').then((r) => r.sealing);
    expect(BatchSealingHeader.parse(legacyHeader).cipher).toBeUndefined();
    // Same sizes: nonce, ciphertext and tag in both, the same digest.
    expect(old.cells[0]?.c.length).toBe(cells[0]?.c.length);
    expect(old.cells[0]?.h).toBe(cells[0]?.h);
  });
});
