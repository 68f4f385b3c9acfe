import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAesGcm } from './aesGcm.ts';
import { base64Of, createBatchSealer } from './batchSealer.ts';

describe('createBatchSealer', () => {
  it('seals many values in the AesGcm format, each with its own IV', async () => {
    const key = randomBytes(32);
    const seal = await createBatchSealer(key);
    const values = ['a@example.com', '+14155552671', 'Zoë 東京', '', 'a@example.com'];
    const sealed = await seal(values);
    expect(sealed.map((s) => createAesGcm(key).open(s))).toEqual(values);
    expect(new Set(sealed.map((s) => Buffer.from(s, 'base64').subarray(0, 12).toString('hex'))).size).toBe(values.length);
    expect(await seal([])).toEqual([]);
  });
});

describe('base64Of', () => {
  it('equals Buffer\'s base64 (with padding) for random bytes of every length up to 300', () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = new Uint8Array(randomBytes(n));
      expect(base64Of(bytes), `${n} bytes`).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});
