import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopePlaintext, envelopeValues } from '../store/packedColumns.ts';
import { createAesGcm } from './aesGcm.ts';
import { createBatchSealer } from './batchSealer.ts';

describe('createBatchSealer', () => {
  it('seals many envelopes, each with its own nonce, as nonce ‖ ciphertext ‖ tag', async () => {
    const key = randomBytes(32);
    const seal = await createBatchSealer(key);
    const members = [['a@example.com', '+14155552671'], ['Zoë 東京'], [''], ['a@example.com', '', 'x']];
    const sealed = await seal(members.map(envelopePlaintext));
    const aes = createAesGcm(key);
    // A one-value envelope is what AesGcm.seal stored per value (base64 of the same bytes).
    expect(aes.open(Buffer.from(sealed[1] as Uint8Array).toString('base64'))).toBe('Zoë 東京');
    const opened = sealed.map((s, i) => {
      const plain = Buffer.from(aes.open(Buffer.from(s).toString('base64')), 'utf8');
      return envelopeValues(new Uint8Array(plain), (members[i] as string[]).length);
    });
    expect(opened).toEqual(members);
    expect(sealed.map((s) => s.length)).toEqual(members.map((m) => 12 + envelopePlaintext(m).length + 16));
    expect(new Set(sealed.map((s) => Buffer.from(s.subarray(0, 12)).toString('hex'))).size).toBe(members.length);
    expect(await seal([])).toEqual([]);
  });
});
