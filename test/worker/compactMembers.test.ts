import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { UndoResult } from '../../shared/schema/audiences.ts';
import { call, ok, type Column } from './support/api.ts';
import { backToBefore0190, runMigration, importRowsWith, membersPageOf } from './support/memberMigrations.ts';

// Migration 0140 moves members into member_records (integer audience and import refs, epoch-ms times) behind a
// `members` view of the old shape. This file puts its D1 back into the shape before 0140 (and 0190, which builds on
// it), with members the product wrote, then runs 0140's and 0190's own statements and reads everything through the
// API and the view again.

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'Phone', target: 'mobile', sensitive: true },
  { column: 'City', target: 'city' },
];

const migration0140 = () => {
  const m = env.TEST_MIGRATIONS.find((x) => x.name.startsWith('0140_'));
  if (!m) throw new Error('migration 0140 not found');
  return m.queries;
};

/** The members table, columns and indexes exactly as migrations 0003, 0035, 0040, 0050 and 0070 left it. */
const LEGACY_MEMBERS = `CREATE TABLE legacy_members (
  id INTEGER PRIMARY KEY, workspace_id TEXT NOT NULL, audience_id TEXT NOT NULL REFERENCES audiences(id), identifier_key TEXT NOT NULL,
  attributes TEXT NOT NULL DEFAULT '{}', hashes TEXT NOT NULL DEFAULT '{}', sealed TEXT NOT NULL DEFAULT '{}',
  created_import_id TEXT, updated_import_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  previous_import_id TEXT, hash_scheme INTEGER NOT NULL DEFAULT 1, removed_from_source_at TEXT)`;

/** Turns this D1 back into its shape before 0140, keeping every member (read through the view, as they were). */
async function backToBefore0140(): Promise<void> {
  await backToBefore0190();
  await env.DB.batch(
    [
      LEGACY_MEMBERS,
      'INSERT INTO legacy_members SELECT * FROM members',
      'DROP VIEW members',
      'DROP TABLE member_records',
      'DROP TRIGGER audiences_ref',
      'DROP TRIGGER imports_ref',
      'DROP INDEX audiences_by_ref',
      'DROP INDEX imports_by_ref',
      'ALTER TABLE audiences DROP COLUMN ref',
      'ALTER TABLE imports DROP COLUMN ref',
      'ALTER TABLE legacy_members RENAME TO members',
      'CREATE UNIQUE INDEX members_by_identifier ON members (audience_id, identifier_key)',
      'CREATE INDEX members_by_audience_page ON members (workspace_id, audience_id, id)',
      'CREATE INDEX members_by_created_import ON members (audience_id, created_import_id)',
      'CREATE INDEX members_unkeyed ON members (id) WHERE hash_scheme = 0',
    ].map((q) => env.DB.prepare(q)),
  );
}

const schemaOf = async (name: string) => env.DB.prepare('SELECT type FROM sqlite_schema WHERE name = ?').bind(name).first<string>('type');
const storedMembers = async () => (await env.DB.prepare('SELECT * FROM members ORDER BY id').all()).results;
const page = membersPageOf;

const importRows = (audience: { audienceId?: string; audienceName?: string }, values: string[][]) => importRowsWith(COLUMNS, audience, values);

describe('migration 0140 (compact members)', () => {
  it('carries every member over exactly: the view, the API, dedupe, updates and undo work on the migrated rows', async () => {
    const first = await importRows({ audienceName: 'Before compacting' }, [
      ['a@x.io', '+14155552671', 'Paris'],
      ['b@x.io', '', 'Rome'],
      ['c@x.io', '+14155550000', 'Oslo'],
    ]);
    const second = await importRows({ audienceId: first.audienceId }, [['b@x.io', '+14155551111', 'Lima']]);
    const other = await importRows({ audienceName: 'Another audience' }, [['z@x.io', '', 'Nice']]);
    const membersBefore = await page(first.audienceId);
    const otherBefore = await page(other.audienceId);

    await backToBefore0140();
    expect(await schemaOf('members')).toBe('table');
    const legacyRows = await storedMembers();
    expect(legacyRows).toHaveLength(4);
    // Old rows hold text ids and ISO times; `previous_import_id` names the first import for the member the second updated.
    expect(legacyRows.find((r) => (r as { identifier_key: string }).identifier_key === 'b@x.io')).toMatchObject({
      created_import_id: first.id,
      previous_import_id: first.id,
      updated_import_id: second.id,
    });

    await env.DB.batch(migration0140().map((q) => env.DB.prepare(q)));
    await runMigration('0190');
    await runMigration('0220');
    expect(await schemaOf('members')).toBe('view');
    expect(await schemaOf('member_records')).toBe('table');
    expect(await storedMembers()).toEqual(legacyRows);
    expect(await page(first.audienceId)).toEqual(membersBefore);
    expect(await page(other.audienceId)).toEqual(otherBefore);

    // Dedupe against migrated rows: a repeat updates, a new identifier inserts.
    const third = await importRows({ audienceId: first.audienceId }, [
      ['a@x.io', '', 'Lyon'],
      ['d@x.io', '', 'Bern'],
    ]);
    const summary = await ok<{ counts: { inserted: number; updated: number } }>('GET', `/api/imports/${third.id}`);
    expect(summary.counts).toMatchObject({ inserted: 1, updated: 1 });
    const after = await page(first.audienceId);
    expect(after.total).toBe(4);
    expect(after.members.find((m) => m.identifier === 'a@x.io')?.attributes.city).toBe('Lyon');

    // Undo of the newest import restores the migrated row as it was; undo chains reach the migrated imports.
    expect((await call<UndoResult>('POST', `/api/audiences/${first.audienceId}/imports/${third.id}/undo`, { chain: false })).status).toBe(200);
    expect(await page(first.audienceId)).toEqual(membersBefore);
    // The first import's undo sees the second as a later writer of b@x.io (refs of the migrated rows).
    const refused = await call<{ error: { details: { laterImports: { id: string }[] } } }>(
      'POST',
      `/api/audiences/${first.audienceId}/imports/${first.id}/undo`,
      { chain: false },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.laterImports.map((i) => i.id)).toEqual([second.id]);
    expect((await call<UndoResult>('POST', `/api/audiences/${first.audienceId}/imports/${second.id}/undo`, { chain: false })).status).toBe(200);
    expect((await page(first.audienceId)).members.find((m) => m.identifier === 'b@x.io')?.attributes.city).toBe('Rome');

    // New audiences and imports get refs past the migrated ones.
    const fresh = await importRows({ audienceName: 'After compacting' }, [['y@x.io', '', 'Riga']]);
    const refs = await env.DB.prepare('SELECT (SELECT ref FROM audiences WHERE id = ?1) AS audience, (SELECT max(ref) FROM audiences WHERE id <> ?1) AS before')
      .bind(fresh.audienceId)
      .first<{ audience: number; before: number }>();
    expect(refs?.audience).toBeGreaterThan(refs?.before ?? Infinity);
    expect((await page(fresh.audienceId)).members.map((m) => m.identifier)).toEqual(['y@x.io']);
  });

  it('stops, changing nothing, when a member names an import that does not exist', async () => {
    const imp = await importRows({ audienceName: 'Dangling writer' }, [['a@x.io', '', 'Paris']]);
    await backToBefore0140();
    await env.DB.prepare(`UPDATE members SET updated_import_id = 'no-such-import' WHERE audience_id = ?`).bind(imp.audienceId).run();
    const legacyRows = await storedMembers();
    await expect(env.DB.batch(migration0140().map((q) => env.DB.prepare(q)))).rejects.toThrow(/NOT NULL/);
    expect(await schemaOf('members')).toBe('table');
    expect(await schemaOf('member_records')).toBeNull();
    expect(await storedMembers()).toEqual(legacyRows);
  });
});
