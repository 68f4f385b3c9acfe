import { env } from 'cloudflare:test';
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import type { ImportSummary } from '../../shared/schema/imports.ts';
import { keyedHasherFor } from '../../worker/crypto/keyedHash.ts';
import { ROWS_PER_REQUEST, rewriteUnkeyedMembers } from '../../worker/crypto/keyedHashMigration.ts';
import { call, ok, putBatch, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { keyedHashesAsStored, storedMembers } from './support/storedMembers.ts';

// Computed here independently of the Worker's code: the Customer Match SHA-256 a pre-0050 row holds, and its keyed form.
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const keyed = (sha256Hex: string) => createHmac('sha256', Buffer.from(env.HASH_KEY, 'base64')).update(sha256Hex).digest('hex');


const COLUMNS: Column[] = [
  { column: 'E-mail', target: 'email', sensitive: true },
  { column: 'Cell', target: 'mobile', sensitive: true },
  { column: 'Name', target: 'first_name' },
];

/** Members as the Worker wrote them before keyed hashes, marked hash_scheme 0 as migration 0050 marks such rows. */
async function insertOldMembers(audienceId: string, members: { key: string; hashes: Record<string, string>; name?: string }[]): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO members (workspace_id, audience_id, identifier_key, attributes, hashes, sealed, created_at, updated_at, hash_scheme)
     SELECT 'default', ?1, j.value ->> 0, j.value -> 1, j.value -> 2, '{}', '2026-01-01', '2026-01-01', 0 FROM json_each(?2) AS j`,
  )
    .bind(audienceId, JSON.stringify(members.map((m) => [m.key, m.name ? { first_name: m.name } : {}, m.hashes])))
    .run();
  await env.DB.prepare('UPDATE audiences SET member_count = member_count + ? WHERE id = ?').bind(members.length, audienceId).run();
}

const stored = (audienceId: string) => storedMembers(audienceId);

/** The audience's members against `expected`, whose whole keyed hashes are compared as each member stores them (keyedHashesAsStored). */
async function expectStored(audienceId: string, expected: { identifier_key: string; hashes: Record<string, string>; hash_scheme: number }[]): Promise<void> {
  const members = await storedMembers(audienceId);
  expect(members.map((m) => ({ identifier_key: m.identifier_key, hashes: m.hashes, hash_scheme: m.hash_scheme }))).toEqual(
    expected.map((e, i) => ({ ...e, hashes: keyedHashesAsStored(members[i] ?? { packed: false, identifier_key: e.identifier_key }, e.hashes) })),
  );
}

describe('members stored with plain SHA-256 (before migration 0050)', () => {
  it('are re-keyed before a batch deduplicates against them: the same person is updated, not inserted twice', async () => {
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Old members' });
    await insertOldMembers(audience.id, [
      { key: sha256('test@example.com'), hashes: { email: sha256('test@example.com'), mobile: sha256('+14155552671') }, name: 'Tess' },
      { key: sha256('old@example.com'), hashes: { email: sha256('old@example.com') } },
    ]);
    const imp = await startImport(startBody(COLUMNS, 'E-mail', { audienceId: audience.id }));
    const result = await sendBatch(imp.id, 0, rows(1, [['TEST@example.com', '', 'Tessa'], ['new@example.com', '', '']]));
    expect(result.counts).toMatchObject({ inserted: 1, updated: 1, duplicates: 0, rejected: 0 });

    await expectStored(audience.id, [
      { identifier_key: keyed(sha256('test@example.com')), hashes: { email: keyed(sha256('test@example.com')), mobile: keyed(sha256('+14155552671')) }, hash_scheme: 1 },
      { identifier_key: keyed(sha256('old@example.com')), hashes: { email: keyed(sha256('old@example.com')) }, hash_scheme: 1 },
      { identifier_key: keyed(sha256('new@example.com')), hashes: { email: keyed(sha256('new@example.com')) }, hash_scheme: 1 },
    ]);
    expect((await ok<Audience>('GET', `/api/audiences/${audience.id}`)).memberCount).toBe(3);
  });

  it('keep a plain identifier as it is and re-key only the hashes', async () => {
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Plain identifiers' });
    await insertOldMembers(audience.id, [{ key: 'ada@example.com', hashes: { mobile: sha256('+14155552671') } }]);
    await rewriteUnkeyedMembers(env.DB, await keyedHasherFor(env.HASH_KEY), ROWS_PER_REQUEST);
    await expectStored(audience.id, [
      { identifier_key: 'ada@example.com', hashes: { mobile: keyed(sha256('+14155552671')) }, hash_scheme: 1 },
    ]);
  });

  it('are re-keyed exactly once, even by racing rewrites, and a cut-off rewrite resumes where it stopped', async () => {
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Racing' });
    const emails = Array.from({ length: 30 }, (_, i) => `person${i}@example.com`);
    await insertOldMembers(audience.id, emails.map((e) => ({ key: sha256(e), hashes: { email: sha256(e) } })));
    const hasher = await keyedHasherFor(env.HASH_KEY);
    // Cut off after 7 rows: the rest is still marked and waits.
    expect(await rewriteUnkeyedMembers(env.DB, hasher, 7)).toBeGreaterThan(0);
    expect((await stored(audience.id)).filter((r) => r.hash_scheme === 1)).toHaveLength(7);
    await Promise.all([rewriteUnkeyedMembers(env.DB, hasher, 100), rewriteUnkeyedMembers(env.DB, hasher, 100), rewriteUnkeyedMembers(env.DB, hasher, 100)]);
    expect(await rewriteUnkeyedMembers(env.DB, hasher, 100)).toBe(0);
    await expectStored(audience.id, 
      emails.map((e) => ({ identifier_key: keyed(sha256(e)), hashes: { email: keyed(sha256(e)) }, hash_scheme: 1 })),
    );
  });

  it('answer 503 upgrading_hashes while more are left than one request re-keys; retries finish the work', async () => {
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Many old members' });
    const many = Array.from({ length: ROWS_PER_REQUEST + 500 }, (_, i) => sha256(`+1415555${String(i).padStart(4, '0')}`));
    await insertOldMembers(audience.id, many.map((h) => ({ key: `id-${h.slice(0, 12)}`, hashes: { mobile: h } })));
    const imp = await startImport(startBody([{ column: 'Id', target: 'customer_id' }], 'Id'));
    const first = await putBatch(imp.id, 0, rows(1, [['c-1']]));
    expect(first.status).toBe(503);
    expect((first.body as unknown as { error: { code: string } }).error.code).toBe('upgrading_hashes');
    expect((await ok<ImportSummary>('GET', `/api/imports/${imp.id}`)).nextSeq).toBe(0);
    expect((await sendBatch(imp.id, 0, rows(1, [['c-1']]))).counts.inserted).toBe(1);
    const after = await stored(audience.id);
    expect(after.every((r) => r.hash_scheme === 1)).toBe(true);
    expect(after[0]?.hashes).toEqual(keyedHashesAsStored(after[0] ?? expect.fail('no member'), { mobile: keyed(many[0] ?? '') }));
    expect((await call('GET', '/api/health')).status).toBe(200);
  });
});
