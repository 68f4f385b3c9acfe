import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHmacSha256, createSha256Hex } from './hmacSha256.ts';

const reference = (key: Uint8Array, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');

describe('HMAC-SHA-256 in JavaScript', () => {
  it('gives RFC 4231 test case 2 ("Jefe")', () => {
    const hmac = createHmacSha256(new TextEncoder().encode('Jefe'));
    expect(hmac.hex('what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('equals node:crypto for keys of every size class and messages of every length around the block boundaries', () => {
    for (const keyLength of [0, 1, 31, 32, 63, 64, 65, 131]) {
      const key = new Uint8Array(randomBytes(keyLength));
      const hmac = createHmacSha256(key);
      for (let length = 0; length <= 200; length++) {
        const text = randomBytes(length).toString('base64').slice(0, length);
        expect(hmac.hex(text), `key ${keyLength}, message ${length}`).toBe(reference(key, text));
      }
    }
  });

  it('encodes text as UTF-8 (accents, CJK, emoji) and handles a long message after short ones', () => {
    const key = new Uint8Array(randomBytes(32));
    const hmac = createHmacSha256(key);
    for (const text of ['café', '東京都', '😀 ada@example.com', 'x'.repeat(10_000), '', 'a3f9'.repeat(16), 'é'.repeat(3_000)]) {
      expect(hmac.hex(text)).toBe(reference(key, text));
    }
  });
});

describe('the 64-character fast path (a SHA-256 hex keyed on ingest)', () => {
  const randomText = (length: number, alphabet: string) => Array.from({ length }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');

  it('equals node:crypto on random hex digests and random 64-character ASCII, under random keys of every size class', () => {
    for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 200]) {
      const key = new Uint8Array(randomBytes(keyLength));
      const hmac = createHmacSha256(key);
      for (let n = 0; n < 300; n++) {
        const hex = createHash('sha256').update(randomBytes(n)).digest('hex');
        expect(hmac.hex(hex)).toBe(reference(key, hex));
        const ascii = randomText(64, ' !"#~\x7fAZaz09\u0000\t');
        expect(hmac.hex(ascii)).toBe(reference(key, ascii));
      }
    }
  });

  it('falls back for 64 characters that are not all ASCII, and for 63 and 65', () => {
    const key = new Uint8Array(randomBytes(32));
    const hmac = createHmacSha256(key);
    for (const text of [`${'a'.repeat(63)}é`, `é${'0'.repeat(63)}`, `${'f'.repeat(31)}\u0080${'f'.repeat(32)}`, '😀'.repeat(32), 'a'.repeat(63), 'a'.repeat(65)]) {
      expect(hmac.hex(text), text).toBe(reference(key, text));
    }
  });
});

describe('SHA-256 in JavaScript', () => {
  it('equals node:crypto on random short ASCII and non-ASCII texts (the one-block fast path and its fallback)', () => {
    const sha256Hex = createSha256Hex();
    for (let n = 0; n < 2_000; n++) {
      const length = n % 70;
      const text = Array.from({ length }, () => String.fromCharCode(Math.random() < 0.97 ? Math.floor(Math.random() * 128) : 128 + Math.floor(Math.random() * 2000))).join('');
      expect(sha256Hex(text), JSON.stringify(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });

  it('equals node:crypto for messages of every length around the block boundaries, and UTF-8 text', () => {
    const sha256Hex = createSha256Hex();
    const texts = [...Array.from({ length: 201 }, (_, n) => randomBytes(n).toString('base64').slice(0, n)), 'café', '😀 東京', 'x'.repeat(5_000)];
    for (const text of texts) expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });
});
