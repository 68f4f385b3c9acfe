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

describe('SHA-256 in JavaScript', () => {
  it('equals node:crypto for messages of every length around the block boundaries, and UTF-8 text', () => {
    const sha256Hex = createSha256Hex();
    const texts = [...Array.from({ length: 201 }, (_, n) => randomBytes(n).toString('base64').slice(0, n)), 'café', '😀 東京', 'x'.repeat(5_000)];
    for (const text of texts) expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });
});
