import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashInput } from '../normalize/normalizeValue.ts';
import type { WorkspaceSealingKey } from '../schema/privacy.ts';
import { checkSensitiveCell } from './checkSensitiveCell.ts';
import { identifierDigest } from './identifierDigest.ts';
import { sealBatchCells } from './sealBatchCells.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function sealingKey(): WorkspaceSealingKey {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  return { keyId: 'wk_test', publicKey: { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) } };
}

describe('identifierDigest', () => {
  it('is the SHA-256 of the Customer Match form of the value the import rules normalise', async () => {
    expect(await identifierDigest('  Ada@Example.COM ', { type: 'email', defaultCountry: 'US' })).toEqual({ ok: true, digest: sha256('ada@example.com') });
    // A national number read in the audience's default country, as on import.
    const phone = await identifierDigest('0612 345 678', { type: 'phone', defaultCountry: 'NL' });
    expect(phone).toEqual({ ok: true, digest: sha256(hashInput('phone', '+31612345678')) });
    const text = await identifierDigest(' C-0042 ', { type: 'text', defaultCountry: 'US' });
    expect(text).toEqual({ ok: true, digest: sha256(hashInput('text', 'C-0042')) });
  });

  it('equals the h that sealing gives the same value, so a search finds what a private import stored', async () => {
    for (const [type, typed, country] of [['email', 'Grace.Hopper@Navy.MIL', 'US'], ['phone', '+44 20 7946 0958', 'DE'], ['text', 'Ünïcode ID', 'US']] as const) {
      const verdict = checkSensitiveCell(typed, { type, defaultCountry: country });
      if (!verdict.ok) throw new Error(`${typed} should be valid`);
      const { rows } = await sealBatchCells(sealingKey(), [[{ type, normalized: verdict.normalized }]]);
      const found = await identifierDigest(typed, { type, defaultCountry: country });
      expect(found).toEqual({ ok: true, digest: rows[0]?.[0]?.h });
    }
  });

  it('refuses an invalid value in the masked words of the import rules, never quoting it', async () => {
    const answer = await identifierDigest('ada-at-example.com', { type: 'email', defaultCountry: 'US' });
    expect(answer).toEqual({ ok: false, message: 'Not a valid email address (missing @).' });
    const phone = await identifierDigest('12', { type: 'phone', defaultCountry: 'US' });
    expect(phone.ok).toBe(false);
    if (!phone.ok) expect(phone.message).not.toContain('12');
  });
});
