import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64url, isBase64url, toBase64url } from './base64url.ts';

describe('base64url', () => {
  it('matches Node for every length and round-trips', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = new Uint8Array(randomBytes(n));
      const text = toBase64url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(isBase64url(text)).toBe(true);
      expect(fromBase64url(text)).toEqual(bytes);
    }
  });

  it('refuses characters outside the alphabet and impossible lengths', () => {
    expect(() => fromBase64url('ab+c')).toThrow(/base64url/);
    expect(() => fromBase64url('abcde')).toThrow(/length/);
    expect(isBase64url('ab/c')).toBe(false);
    expect(isBase64url('abcde')).toBe(false);
  });
});
