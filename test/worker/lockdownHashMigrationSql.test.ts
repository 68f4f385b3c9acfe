import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import { ok } from './support/api.ts';

// Members keep their times as times (migrations/0140_compact_members.sql).
const NOW = new Date().toISOString();

// Its own file (its own D1): re-running the migration's UPDATE marks every row with hashes in the database.
it('migration 0050 marks exactly the rows that hold hashes as still to re-key', async () => {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0050_'));
  const mark = migration?.queries.find((q) => /^\s*UPDATE members/i.test(q));
  expect(mark).toBeDefined();
  const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Before 0050' });
  // As rows stood before the migration: the column's default (1) is what ADD COLUMN gives every existing row.
  await env.DB.prepare(
    `INSERT INTO members (workspace_id, audience_id, identifier_key, hashes, created_at, updated_at) VALUES
       ('default', ?1, 'plain@example.com', '{}', ?2, ?2),
       ('default', ?1, 'aaaa', '{"email":"aaaa"}', ?2, ?2),
       ('default', ?1, 'plain2@example.com', '{"mobile":"bbbb"}', ?2, ?2)`,
  )
    .bind(audience.id, NOW)
    .run();
  await env.DB.prepare(mark ?? '').run();
  const { results } = await env.DB.prepare('SELECT identifier_key, hash_scheme FROM members WHERE audience_id = ? ORDER BY id').bind(audience.id).all();
  expect(results).toEqual([
    { identifier_key: 'plain@example.com', hash_scheme: 1 },
    { identifier_key: 'aaaa', hash_scheme: 0 },
    { identifier_key: 'plain2@example.com', hash_scheme: 0 },
  ]);
  // A member written from now on, without naming the column, is keyed.
  await env.DB.prepare(`INSERT INTO members (workspace_id, audience_id, identifier_key, hashes, created_at, updated_at) VALUES ('default', ?1, 'new', '{"email":"cccc"}', ?2, ?2)`)
    .bind(audience.id, NOW)
    .run();
  expect(await env.DB.prepare(`SELECT hash_scheme FROM members WHERE identifier_key = 'new'`).first('hash_scheme')).toBe(1);
});
