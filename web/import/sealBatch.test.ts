import { describe, expect, it } from 'vitest';
import { hashInput } from '../../shared/normalize/normalizeValue.ts';
import { envelopeValues } from '../../shared/privacy/envelopePlaintext.ts';
import { openSealedPlaintexts } from '../../shared/privacy/openSealedValues.ts';
import { openBatchKey, sealBatchCells } from '../../shared/privacy/index.ts';
import { fromBase64url } from '../../shared/privacy/base64url.ts';
import { BatchBody, type PrivateBatchRow } from '../../shared/schema/imports.ts';
import { WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import type { SensitivePosition } from './privateCells.ts';
import { sealBatchBody } from './sealBatch.ts';

async function workspaceKey() {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits', 'deriveKey'])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const key = WorkspaceSealingKey.parse({ keyId: 'k1', publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } });
  return { key, privateKey: pair.privateKey };
}

const sha256Hex = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, '0')).join('');

// Values: Nombre (plain), Correo (sensitive email), Móvil (sensitive phone).
const positions: SensitivePosition[] = [
  { index: 1, type: 'email' },
  { index: 2, type: 'phone' },
];
const rows = (): PrivateBatchRow[] => [
  { row: 1, line: 2, values: ['Ana', ' Ana@Example.com', '600 000 001'] },
  { row: 2, values: ['Eva', 'eva-at-example.com', ''] },
  { row: 3, values: ['Luis', 'luis@example.com', '12345'] },
];

describe('sealBatchBody', () => {
  it('builds a batch body the Worker accepts, sealed to the workspace key, with no plain sensitive value in it', async () => {
    const { key, privateKey } = await workspaceKey();
    const bytes = await sealBatchBody({ seq: 4, idempotencyKey: 'import-x-batch-4', rows: rows(), positions, defaultCountry: 'ES' }, (cells) =>
      sealBatchCells(key, cells),
    );
    const text = new TextDecoder().decode(bytes);
    for (const plain of ['Ana@Example.com', 'ana@example.com', 'eva-at-example.com', 'luis@example.com', '600 000 001', '+34600000001', '12345']) {
      expect(text).not.toContain(plain);
    }
    const body = BatchBody.parse(JSON.parse(text));
    expect(body).toMatchObject({ seq: 4, idempotencyKey: 'import-x-batch-4', sealing: { keyId: 'k1' } });
    expect(body.rows.map((r) => r.values[0])).toEqual(['Ana', 'Eva', 'Luis']);
    expect(body.rows[0]?.line).toBe(2);

    // The refused cells: code, message and masked hint only; a blank stays blank.
    expect(body.rows[1]?.values[1]).toEqual({ problem: 'invalid_email', message: 'Not a valid email address (missing @).', hint: 'missing @' });
    expect(body.rows[1]?.values[2]).toBe('');
    expect(body.rows[2]?.values[2]).toEqual({ problem: 'invalid_phone', message: 'Not a valid phone number (5 digits).', hint: '5 digits' });

    // One envelope a row, on its first sealed cell; the row's other sealed cells carry their SHA-256 only. Each opens
    // with the workspace's private key to the row's normalised values, in column order.
    const [anaEmail, anaPhone, luisEmail] = [body.rows[0]?.values[1], body.rows[0]?.values[2], body.rows[2]?.values[1]] as { h: string; c?: string }[];
    expect(anaPhone).toEqual({ h: expect.any(String) });
    const batchKey = await openBatchKey(privateKey, 'k1', body.sealing?.ephemeralKey as string, body.sealing?.cipher ?? 'aes-256-gcm');
    const opened = await openSealedPlaintexts(batchKey, [anaEmail?.c, luisEmail?.c].map((c) => fromBase64url(c ?? '')));
    expect([envelopeValues(opened[0] as Uint8Array, 2), envelopeValues(opened[1] as Uint8Array, 1)]).toEqual([['ana@example.com', '+34600000001'], ['luis@example.com']]);
    expect([anaEmail, anaPhone, luisEmail].map((s) => s?.h)).toEqual([
      await sha256Hex(hashInput('email', 'ana@example.com')),
      await sha256Hex(hashInput('phone', '+34600000001')),
      await sha256Hex(hashInput('email', 'luis@example.com')),
    ]);
  });

  it('seals each batch under its own key: the same rows twice give other ciphertexts, the same hashes', async () => {
    const { key } = await workspaceKey();
    const seal = async () =>
      BatchBody.parse(JSON.parse(new TextDecoder().decode(await sealBatchBody({ seq: 0, idempotencyKey: 'import-x-batch-0', rows: rows(), positions, defaultCountry: 'ES' }, (c) => sealBatchCells(key, c)))));
    const [a, b] = [await seal(), await seal()];
    expect(a.sealing?.ephemeralKey).not.toBe(b.sealing?.ephemeralKey);
    const first = (body: typeof a) => body.rows[0]?.values[1] as { h: string; c: string };
    expect(first(a).c).toEqual(expect.any(String));
    expect(first(a).h).toBe(first(b).h);
    expect(first(a).c).not.toBe(first(b).c);
  });
});
