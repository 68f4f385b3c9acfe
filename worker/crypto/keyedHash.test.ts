import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashInput } from '../../shared/normalize/normalizeValue.ts';
import { createKeyedHasher, keyedHasherFor } from './keyedHash.ts';
import { sensitiveKey, sensitiveKeyOfCustomerMatchHash, sensitiveKeys } from './sensitiveKey.ts';

// RFC 4231, test case 2 (key "Jefe").
const RFC4231_KEY = Buffer.from('Jefe');
const RFC4231_DATA = 'what do ya want for nothing?';
const RFC4231_HMAC = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';

describe('keyed hashes', () => {
  it('are HMAC-SHA-256 (RFC 4231), one by one and batched alike', async () => {
    const hasher = await createKeyedHasher(RFC4231_KEY);
    expect(hasher.hex(RFC4231_DATA)).toBe(RFC4231_HMAC);
    const texts = Array.from({ length: 5_000 }, (_, i) => `value ${i} ${'é'.repeat(i % 3)}`);
    expect(await hasher.hexAll([RFC4231_DATA, ...texts])).toEqual([RFC4231_HMAC, ...texts.map((t) => hasher.hex(t))]);
  });

  it('give the key of a sensitive value from the value or from its stored Customer Match SHA-256 alike', async () => {
    const key = randomBytes(32);
    const hasher = await createKeyedHasher(key);
    const customerMatch = createHash('sha256').update(hashInput('phone', '+14155552671')).digest('hex');
    const expected = createHmac('sha256', key).update(customerMatch).digest('hex');
    expect(sensitiveKey(hasher, 'phone', '+14155552671')).toBe(expected);
    expect(sensitiveKeyOfCustomerMatchHash(hasher, customerMatch)).toBe(expected);
    expect(await sensitiveKeys(hasher, [{ type: 'phone', normalized: '+14155552671' }, { type: 'email', normalized: 'a@b.co' }])).toEqual([
      expected,
      sensitiveKey(hasher, 'email', 'a@b.co'),
    ]);
    // Another key, another answer: the stored key reveals nothing without HASH_KEY.
    expect(sensitiveKey(await createKeyedHasher(randomBytes(32)), 'phone', '+14155552671')).not.toBe(expected);
    expect(expected).not.toBe(customerMatch);
  });

  it('need a 32-byte HASH_KEY', () => {
    expect(() => keyedHasherFor(undefined)).toThrow(/HASH_KEY/);
    expect(() => keyedHasherFor(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
