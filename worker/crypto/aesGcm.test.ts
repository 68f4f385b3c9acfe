import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAesGcm, readAesKey } from './aesGcm.ts';
import { sha256Hex, sha256HexAll } from './sha256Hex.ts';

describe('createAesGcm', () => {
  const key = randomBytes(32);

  it('round-trips text, including non-ASCII', () => {
    const aes = createAesGcm(key);
    for (const text of ['', 'ada@example.com', '+14155552671', 'Zoë Ñandú 東京']) expect(aes.open(aes.seal(text))).toBe(text);
  });

  it('uses a fresh IV per value, so equal plaintexts give different ciphertexts', () => {
    const aes = createAesGcm(key);
    const sealed = new Set(Array.from({ length: 3000 }, () => aes.seal('same')));
    expect(sealed.size).toBe(3000);
    const ivs = new Set([...sealed].map((s) => Buffer.from(s, 'base64').subarray(0, 12).toString('hex')));
    expect(ivs.size).toBe(3000);
  });

  it('refuses a wrong key and a tampered value', () => {
    const sealed = createAesGcm(key).seal('secret');
    expect(() => createAesGcm(randomBytes(32)).open(sealed)).toThrow();
    const bytes = Buffer.from(sealed, 'base64');
    bytes[13] = (bytes[13] ?? 0) ^ 1;
    expect(() => createAesGcm(key).open(bytes.toString('base64'))).toThrow();
  });

  it('accepts only 32-byte keys', () => {
    expect(readAesKey(randomBytes(32).toString('base64')).length).toBe(32);
    expect(() => readAesKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => readAesKey(undefined)).toThrow(/ENCRYPTION_KEY/);
  });
});

describe('sha256Hex', () => {
  it('matches the published digest', () => {
    expect(sha256Hex('test@example.com')).toBe('973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b');
  });

  it('gives the same digests one by one and all at once', async () => {
    const texts = ['test@example.com', '+14155552671', 'zoë', ''];
    expect(await sha256HexAll(texts)).toEqual(texts.map(sha256Hex));
    expect(await sha256HexAll(['test@example.com'])).toEqual(['973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b']);
  });
});
