import { env } from 'cloudflare:test';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MemberPage } from '../../shared/schema/audiences.ts';
import type { ImportReport } from '../../shared/schema/imports.ts';
import { createAesGcm, readAesKey } from '../../worker/crypto/aesGcm.ts';
import { ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';

// Published / computed once with `printf '%s' … | sha256sum`.
const SHA256_TEST_EMAIL = '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b'; // test@example.com
const SHA256_TEST_PHONE = 'cb6880e416769253645cb9c6b8989154bf66a56a77fc14c81fb1019663cbb928'; // +14155552671

const COLUMNS: Column[] = [
  { column: 'E-mail', target: 'email', sensitive: true },
  { column: 'Cell', target: 'mobile', sensitive: true },
  { column: 'Given name', target: 'first_name' },
];

/** What is kept at rest: HMAC-SHA-256 under HASH_KEY of the Customer Match SHA-256 hex, computed here independently. */
const keyed = (sha256Hex: string) => createHmac('sha256', Buffer.from(env.HASH_KEY, 'base64')).update(sha256Hex).digest('hex');

type MemberRow = Record<string, unknown> & { identifier_key: string; attributes: string; hashes: string; sealed: string };

describe('sensitive columns', () => {
  it('are stored only as a keyed hash and AES-GCM ciphertext, never in plain text nor as a plain SHA-256', async () => {
    const imp = await startImport(startBody(COLUMNS, 'E-mail'));
    const result = await sendBatch(
      imp.id,
      0,
      rows(1, [
        [' Test@Example.com', '(415) 555-2671', 'Tess'],
        ['TEST@example.COM', '', 'Tessa'],
        ['other@example.org', '+1 415 555 2672', ''],
      ]),
    );
    // Dedupe works on the hash of the identifier.
    expect(result.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });

    const { results } = await env.DB.prepare('SELECT * FROM members WHERE audience_id = ? ORDER BY id').bind(imp.audienceId).all<MemberRow>();
    expect(results).toHaveLength(2);
    const everything = JSON.stringify(results).toLowerCase();
    for (const plain of ['test@example.com', 'other@example.org', '4155552671', '4155552672', '555-2671', '555 2672', SHA256_TEST_EMAIL, SHA256_TEST_PHONE]) {
      expect(everything).not.toContain(plain);
    }

    const tess = results[0] as MemberRow;
    expect(tess.identifier_key).toBe(keyed(SHA256_TEST_EMAIL));
    expect(JSON.parse(tess.attributes)).toEqual({ first_name: 'Tessa' });
    expect(JSON.parse(tess.hashes)).toEqual({ email: keyed(SHA256_TEST_EMAIL), mobile: keyed(SHA256_TEST_PHONE) });
    const sealed = JSON.parse(tess.sealed) as Record<string, string>;
    const aes = createAesGcm(readAesKey(env.ENCRYPTION_KEY));
    expect(aes.open(sealed.email ?? '')).toBe('test@example.com');
    expect(aes.open(sealed.mobile ?? '')).toBe('+14155552671');
  });

  it('are masked in member listings and never decrypted for them', async () => {
    const imp = await startImport(startBody(COLUMNS, 'E-mail'));
    await sendBatch(imp.id, 0, rows(1, [['test@example.com', '4155552671', 'Tess']]));
    const page = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members`);
    expect(page.members).toEqual([
      {
        id: expect.any(String),
        identifier: '••••••',
        attributes: { first_name: 'Tess' },
        sensitive: { email: '••••••', mobile: '••••••' },
        updatedAt: expect.any(String),
      },
    ]);
  });

  it('are masked in row errors, in the message too', async () => {
    const imp = await startImport(startBody(COLUMNS, 'E-mail'));
    const result = await sendBatch(imp.id, 0, rows(1, [['secret-mailbox', 'secret-phone', 'Sam']]));
    expect(result.counts.rejected).toBe(1);
    expect(result.errors.map((e) => [e.column, e.code, e.value])).toEqual([
      ['E-mail', 'invalid_email', '••••••'],
      ['Cell', 'invalid_phone', '••••••'],
    ]);
    const report = await ok<ImportReport>('GET', `/api/imports/${imp.id}/report`);
    const { results } = await env.DB.prepare('SELECT * FROM import_errors WHERE import_id = ?').bind(imp.id).all();
    for (const text of [JSON.stringify(result), JSON.stringify(report), JSON.stringify(results)]) {
      expect(text).not.toContain('secret-mailbox');
      expect(text).not.toContain('secret-phone');
    }
  });
});
