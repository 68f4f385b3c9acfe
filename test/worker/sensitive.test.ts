import { env } from 'cloudflare:test';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MemberPage } from '../../shared/schema/audiences.ts';
import type { ImportReport } from '../../shared/schema/imports.ts';
import { call, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { keyedHashesAsStored, openedFields, storedMembers, type StoredMember } from './support/storedMembers.ts';

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

    const results = await storedMembers(imp.audienceId);
    expect(results).toHaveLength(2);
    const everything = JSON.stringify(results).toLowerCase();
    for (const plain of ['test@example.com', 'other@example.org', '4155552671', '4155552672', '555-2671', '555 2672', SHA256_TEST_EMAIL, SHA256_TEST_PHONE]) {
      expect(everything).not.toContain(plain);
    }

    const tess = results[0] as StoredMember;
    expect(tess.identifier_key).toBe(keyed(SHA256_TEST_EMAIL));
    expect(tess.attributes).toEqual({ first_name: 'Tessa' });
    // HMAC-128 in the packed form (keyedHashPrefix), whole in 0190's JSON.
    expect(tess.hashes).toEqual(keyedHashesAsStored(tess, { email: keyed(SHA256_TEST_EMAIL), mobile: keyed(SHA256_TEST_PHONE) }));
    const sealed = await openedFields(tess);
    expect(sealed.email).toBe('test@example.com');
    expect(sealed.mobile).toBe('+14155552671');
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

  describe('belong to the audience, not to one import', () => {
    const plainColumns = (sensitive: { email?: boolean; mobile?: boolean }): Column[] => [
      { column: 'E-mail', target: 'email', sensitive: sensitive.email ?? false },
      { column: 'Cell', target: 'mobile', sensitive: sensitive.mobile ?? false },
      { column: 'Given name', target: 'first_name' },
    ];
    const membersOf = async (audienceId: string) =>
      storedMembers(audienceId);

    it('aligns a later import that leaves a sensitive field plain: one member per person, with a notice', async () => {
      const first = await startImport(startBody(plainColumns({ email: true }), 'E-mail'));
      await sendBatch(first.id, 0, rows(1, [['test@example.com', '', 'Tess']]));
      const later = await startImport(startBody(plainColumns({}), 'E-mail', { audienceId: first.audienceId }));
      expect(later.notices).toEqual(['Email is sensitive in this audience, so the column "E-mail" is stored hashed and encrypted too.']);
      const result = await sendBatch(later.id, 0, rows(1, [['Test@Example.com', '', 'Tessa']]));
      expect(result.counts).toMatchObject({ inserted: 0, updated: 1 });
      const members = await membersOf(first.audienceId);
      expect(members).toHaveLength(1);
      expect(members[0]?.identifier_key).toBe(keyed(SHA256_TEST_EMAIL));
      expect(JSON.stringify(members).toLowerCase()).not.toContain('test@example.com');
      expect(members[0]?.attributes).toEqual({ first_name: 'Tessa' });
      // The summary read back later carries the notice too.
      expect((await ok<{ notices: string[] }>('GET', `/api/imports/${later.id}`)).notices).toEqual(later.notices);
    });

    it('seals and hashes the stored plain values in place when a later import makes a field sensitive', async () => {
      const first = await startImport(startBody(plainColumns({}), 'E-mail'));
      await sendBatch(first.id, 0, rows(1, [['test@example.com', '(415) 555-2671', 'Tess'], ['other@example.org', '', 'Otto']]));
      const later = await startImport(startBody(plainColumns({ email: true, mobile: true }), 'E-mail', { audienceId: first.audienceId }));
      expect(later.notices).toEqual([
        'Email is now sensitive in this audience: the values already stored were hashed and encrypted in place.',
        'Mobile phone is now sensitive in this audience: the values already stored were hashed and encrypted in place.',
      ]);
      const members = await membersOf(first.audienceId);
      expect(members).toHaveLength(2);
      const everything = JSON.stringify(members).toLowerCase();
      for (const plain of ['test@example.com', 'other@example.org', '+14155552671']) expect(everything).not.toContain(plain);
      const tess = members[0] as StoredMember;
      expect(tess.identifier_key).toBe(keyed(SHA256_TEST_EMAIL));
      expect(tess.attributes).toEqual({ first_name: 'Tess' });
      // HMAC-128 in the packed form (keyedHashPrefix), whole in 0190's JSON.
      expect(tess.hashes).toEqual(keyedHashesAsStored(tess, { email: keyed(SHA256_TEST_EMAIL), mobile: keyed(SHA256_TEST_PHONE) }));
      const sealed = await openedFields(tess);
      expect(sealed.email).toBe('test@example.com');
      expect(sealed.mobile).toBe('+14155552671');
      // The listing masks them now, and the same person imported again is the same member.
      const page = await ok<MemberPage>('GET', `/api/audiences/${first.audienceId}/members`);
      expect(page.members[0]).toMatchObject({ identifier: '••••••', attributes: { first_name: 'Tess' }, sensitive: { email: '••••••', mobile: '••••••' } });
      const result = await sendBatch(later.id, 0, rows(1, [['TEST@example.com', '', 'Tessa']]));
      expect(result.counts).toMatchObject({ inserted: 0, updated: 1 });
      expect(await membersOf(first.audienceId)).toHaveLength(2);
    });

    it('merges the two members an audience already holds for one person (plain and hashed identifier) when sealing', async () => {
      const first = await startImport(startBody(plainColumns({}), 'E-mail'));
      await sendBatch(first.id, 0, rows(1, [['test@example.com', '', 'Tess']]));
      // The state the old code left: the same email once plain, once hashed (plain SHA-256, before keyed hashes), as two members.
      const second = await startImport(startBody(plainColumns({}), 'E-mail', { audienceId: first.audienceId }));
      await sendBatch(second.id, 0, rows(1, [['test@example.com', '', 'Tessa']]));
      await env.DB.prepare(
        `INSERT INTO members (workspace_id, audience_id, identifier_key, attributes, hashes, sealed, created_at, updated_at, hash_scheme)
         VALUES ('default', ?1, ?2, '{"first_name":"Hashed Tess"}', json_object('email', ?2), '{}', '2000-01-01', '2000-01-01', 0)`,
      )
        .bind(first.audienceId, SHA256_TEST_EMAIL)
        .run();
      await env.DB.prepare(`UPDATE audiences SET member_count = member_count + 1, sensitive_fields = '["email"]', sealing_due = 1 WHERE id = ?`)
        .bind(first.audienceId)
        .run();
      await startImport(startBody(plainColumns({ email: true }), 'E-mail', { audienceId: first.audienceId }));
      const members = await membersOf(first.audienceId);
      expect(members).toHaveLength(1);
      expect(members[0]?.identifier_key).toBe(keyed(SHA256_TEST_EMAIL));
      // The more recently written member's values win.
      expect(members[0]?.attributes).toEqual({ first_name: 'Tessa' });
      expect(JSON.stringify(members)).not.toContain('test@example.com');
      expect((await ok<{ memberCount: number }>('GET', `/api/audiences/${first.audienceId}`)).memberCount).toBe(1);
    });

    it('keeps the audience identifier: a later import choosing another identifier is aligned, or refused when it lacks the field', async () => {
      const withId: Column[] = [...plainColumns({}), { column: 'No', target: 'customer_id' }];
      const first = await startImport(startBody(withId, 'E-mail'));
      const later = await startImport(startBody(withId, 'No', { audienceId: first.audienceId }));
      expect(later.notices).toEqual(['This audience identifies its members by Email, so the column "E-mail" is the identifier of this import (not "No").']);
      const refused = await call('POST', '/api/imports', startBody([{ column: 'No', target: 'customer_id' }], 'No', { audienceId: first.audienceId }));
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('identifies its members by Email');
    });
  });
});
