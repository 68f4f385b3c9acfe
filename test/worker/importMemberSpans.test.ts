import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { UndoResult } from '../../shared/schema/audiences.ts';
import { CREATED_BY_IMPORT } from '../../worker/store/importMemberSpans.ts';
import { call, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { runMigration } from './support/memberMigrations.ts';
import { storedMembers } from './support/storedMembers.ts';

// Undo finds the members an import created by the span of ids it created (imports.first_member_id /
// last_member_id, kept in each batch's transaction; migration 0210), no longer by an index on created_import.

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'Phone', target: 'mobile', sensitive: true },
  { column: 'City', target: 'city' },
];

/** An audience's members as stored (decoded by the product, whichever form they are in), by identifier. */
async function stored(audienceId: string) {
  const results = (await storedMembers(audienceId))
    .map(({ id, identifier_key, attributes, hashes, envelopes, created_import_id, updated_import_id, updated_at }) => ({ id, identifier_key, attributes, hashes, envelopes, created_import_id, updated_import_id, updated_at }))
    .sort((x, y) => (x.identifier_key < y.identifier_key ? -1 : 1));
  return new Map(results.map((r) => [r.identifier_key, r]));
}

const spanOf = (importId: string) =>
  env.DB.prepare('SELECT first_member_id AS first, last_member_id AS last FROM imports WHERE id = ?').bind(importId).first<{ first: number | null; last: number | null }>();

const start = (audience: { audienceId?: string; audienceName?: string }) => startImport(startBody(COLUMNS, 'Email', audience));
const finish = (importId: string) => ok('POST', `/api/imports/${importId}/finish`);
const undo = (audienceId: string, importId: string) => call<UndoResult>('POST', `/api/audiences/${audienceId}/imports/${importId}/undo`, { chain: false });

async function importRows(audience: { audienceId?: string; audienceName?: string }, values: string[][]) {
  const imp = await start(audience);
  await sendBatch(imp.id, 0, rows(1, values));
  await finish(imp.id);
  return imp;
}

const idOf = (members: Map<string, { id: number }>, key: string) => {
  const m = members.get(key);
  if (!m) throw new Error(`no member ${key}`);
  return m.id;
};

describe('import member spans', () => {
  it('two imports interleaved in one audience: undo removes exactly its own new members and restores its updated ones', async () => {
    const earlier = await importRows({ audienceName: 'Interleaved' }, [
      ['m1@x.io', '+14155550001', 'Paris'],
      ['m2@x.io', '+14155550002', 'Rome'],
    ]);
    const { audienceId } = earlier;
    const beforeA = await stored(audienceId);

    const a = await start({ audienceId });
    const b = await start({ audienceId });
    await sendBatch(a.id, 0, rows(1, [['a1@x.io', '+14155551001', 'Oslo'], ['a2@x.io', '', 'Bern'], ['m1@x.io', '+14155559999', 'Lyon']]));
    await sendBatch(b.id, 0, rows(1, [['b1@x.io', '+14155552001', 'Riga'], ['b2@x.io', '', 'Kiel']]));
    await sendBatch(a.id, 1, rows(4, [['a3@x.io', '', 'Graz'], ['m2@x.io', '', 'Linz']]));
    // A batch that creates nobody keeps the span as it was.
    await sendBatch(a.id, 2, rows(6, [['m1@x.io', '', 'Nice']]));
    await finish(a.id);
    await finish(b.id);

    const all = await stored(audienceId);
    const id = (key: string) => idOf(all, key);
    expect(await spanOf(a.id)).toEqual({ first: id('a1@x.io'), last: id('a3@x.io') });
    expect(await spanOf(b.id)).toEqual({ first: id('b1@x.io'), last: id('b2@x.io') });
    // B's members lie inside A's span: only created_import tells them apart.
    expect(id('b1@x.io')).toBeGreaterThan(id('a2@x.io'));
    expect(id('b2@x.io')).toBeLessThan(id('a3@x.io'));
    const bMembers = [all.get('b1@x.io'), all.get('b2@x.io')];

    const undoneA = await undo(audienceId, a.id);
    expect(undoneA.status).toBe(200);
    expect(undoneA.body.undone).toEqual([expect.objectContaining({ importId: a.id, removed: 3, restored: 2 })]);
    expect(undoneA.body.audience.memberCount).toBe(4);
    const afterA = await stored(audienceId);
    expect([...afterA.keys()]).toEqual(['b1@x.io', 'b2@x.io', 'm1@x.io', 'm2@x.io']);
    expect([afterA.get('m1@x.io'), afterA.get('m2@x.io')]).toEqual([beforeA.get('m1@x.io'), beforeA.get('m2@x.io')]);
    expect([afterA.get('b1@x.io'), afterA.get('b2@x.io')]).toEqual(bMembers);

    const undoneB = await undo(audienceId, b.id);
    expect(undoneB.body.undone).toEqual([expect.objectContaining({ importId: b.id, removed: 2, restored: 0 })]);
    expect(await stored(audienceId)).toEqual(beforeA);
  });

  it('an import that only updates has no span and removes nobody; ids reused inside an older span stay with their import', async () => {
    const a = await start({ audienceName: 'Reused ids' });
    const { audienceId } = a;
    await sendBatch(a.id, 0, rows(1, [['a1@x.io', '', 'Oslo'], ['a2@x.io', '', 'Bern']]));
    const b = await importRows({ audienceId }, [['b1@x.io', '', 'Riga'], ['b2@x.io', '', 'Kiel']]);
    await sendBatch(a.id, 1, rows(3, [['a3@x.io', '', 'Graz'], ['a4@x.io', '', 'Linz']]));
    await finish(a.id);
    const updateOnly = await importRows({ audienceId }, [['a1@x.io', '', 'Lyon']]);
    expect(await spanOf(updateOnly.id)).toEqual({ first: null, last: null });

    const all = await stored(audienceId);
    const spanA = await spanOf(a.id);
    expect(spanA).toEqual({ first: idOf(all, 'a1@x.io'), last: idOf(all, 'a4@x.io') });
    const undoneUpdate = await undo(audienceId, updateOnly.id);
    expect(undoneUpdate.body.undone).toEqual([expect.objectContaining({ removed: 0, restored: 1 })]);

    // The newest members go (A's last two by hand, then B's by its undo), so the next import gets their ids back:
    // all inside A's span, B's (undone) span too.
    for (const key of ['a3@x.io', 'a4@x.io']) await ok('DELETE', `/api/audiences/${audienceId}/members/${idOf(all, key)}`);
    expect((await undo(audienceId, b.id)).body.undone).toEqual([expect.objectContaining({ removed: 2 })]);
    const c = await importRows({ audienceId }, [['c1@x.io', '', 'Turin'], ['c2@x.io', '', 'Porto'], ['c3@x.io', '', 'Ghent'], ['c4@x.io', '', 'Split']]);
    const withC = await stored(audienceId);
    const cIds = ['c1@x.io', 'c2@x.io', 'c3@x.io', 'c4@x.io'].map((k) => idOf(withC, k));
    expect(cIds).toEqual([idOf(all, 'b1@x.io'), idOf(all, 'b2@x.io'), idOf(all, 'a3@x.io'), idOf(all, 'a4@x.io')]);
    expect(await spanOf(c.id)).toEqual({ first: cIds[0], last: cIds[3] });

    const undoneA = await undo(audienceId, a.id);
    expect(undoneA.status).toBe(200);
    expect(undoneA.body.undone).toEqual([expect.objectContaining({ importId: a.id, removed: 2, restored: 0 })]);
    expect([...(await stored(audienceId)).keys()]).toEqual(['c1@x.io', 'c2@x.io', 'c3@x.io', 'c4@x.io']);
    expect((await undo(audienceId, c.id)).body.undone).toEqual([expect.objectContaining({ importId: c.id, removed: 4 })]);
    expect((await stored(audienceId)).size).toBe(0);
  });

  it('a batch whose new members get ids below the span (the newest members deleted meanwhile) widens it downwards', async () => {
    const x = await importRows({ audienceName: 'Lower ids' }, [['x1@x.io', '', 'Oslo']]);
    const { audienceId } = x;
    const a = await start({ audienceId });
    await sendBatch(a.id, 0, rows(1, [['a1@x.io', '', 'Bern']]));
    const first = await stored(audienceId);
    for (const key of ['a1@x.io', 'x1@x.io']) await ok('DELETE', `/api/audiences/${audienceId}/members/${idOf(first, key)}`);
    await sendBatch(a.id, 1, rows(2, [['a2@x.io', '', 'Riga']]));
    await finish(a.id);
    const a2 = idOf(await stored(audienceId), 'a2@x.io');
    expect(a2).toBe(idOf(first, 'x1@x.io'));
    expect(await spanOf(a.id)).toEqual({ first: a2, last: idOf(first, 'a1@x.io') });
    expect((await undo(audienceId, a.id)).body.undone).toEqual([expect.objectContaining({ removed: 1 })]);
    expect((await stored(audienceId)).size).toBe(0);
  });

  it('leaves a batch that created none at NULL, and a merge whose member was deleted after the lookup creates none: it aborts', async () => {
    const imp = await start({ audienceName: 'Merge creates none' });
    const { fieldRefs, mergeMembersStatements } = await import('../../worker/store/members.ts');
    const { openMemberSpanStatement, closeMemberSpanStatement } = await import('../../worker/store/importMemberSpans.ts');
    const refs = await fieldRefs(env.DB, 'default', ['city']);
    const now = new Date().toISOString();
    const around = (statements: D1PreparedStatement[]) => [
      openMemberSpanStatement(env.DB, 'default', imp.id),
      ...statements,
      closeMemberSpanStatement(env.DB, 'default', imp.id),
    ];
    await env.DB.batch(around([]));
    expect(await spanOf(imp.id)).toEqual({ first: null, last: null });
    // The merge is an UPDATE of the member read (members.ts mergeMembersStatements): gone since, it changes no row and
    // its guard aborts the transaction (the batch is then classified again and inserts it, inside the span).
    const merge = { id: 1_000_000, key: 'gone@x.io', values: { attributes: { city: 'Oslo' }, hashes: {}, sealed: [] }, updatedAt: 0, updatedImport: null };
    await expect(env.DB.batch(around(mergeMembersStatements(env.DB, 'default', imp.audienceId, imp.id, now, [merge], refs)))).rejects.toThrow(/NOT NULL/);
    expect(await spanOf(imp.id)).toEqual({ first: null, last: null });
    const count = await env.DB.prepare(`SELECT count(*) AS n FROM member_records WHERE ${CREATED_BY_IMPORT}`).bind('default', imp.audienceId, imp.id).first('n');
    expect(count).toBe(0);
  });

  it('stays exact with batches in flight at once, two imports racing for the same new identifiers, and a retried batch', async () => {
    const a = await start({ audienceName: 'Racing' });
    const { audienceId } = a;
    const b = await start({ audienceId });
    const batch = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => [`${prefix}${i}@x.io`, '', 'Oslo']);
    await Promise.all([
      sendBatch(a.id, 0, rows(1, [...batch('a', 30), ...batch('both', 10)])),
      sendBatch(a.id, 1, rows(41, batch('a-late', 30))),
      sendBatch(b.id, 0, rows(1, [...batch('both', 10), ...batch('b', 30)])),
      sendBatch(b.id, 1, rows(41, batch('b-late', 30))),
    ]);
    const spanOfCreated = async (importId: string) =>
      env.DB.prepare(
        `SELECT min(id) AS first, max(id) AS last FROM member_records WHERE created_import = (SELECT ref FROM imports WHERE id = ?)`,
      )
        .bind(importId)
        .first<{ first: number; last: number }>();
    const spans = async () => [await spanOf(a.id), await spanOf(b.id)];
    const exact = [await spanOfCreated(a.id), await spanOfCreated(b.id)];
    expect(await spans()).toEqual(exact);
    // Retried: answered from the stored result, nothing written, the spans unchanged.
    expect((await sendBatch(a.id, 0, rows(1, [...batch('a', 30), ...batch('both', 10)]))).replayed).toBe(true);
    expect(await spans()).toEqual(exact);

    await finish(a.id);
    await finish(b.id);
    const all = await stored(audienceId);
    expect(all.size).toBe(130);
    const undone = await call<UndoResult>('POST', `/api/audiences/${audienceId}/imports/${a.id}/undo`, { chain: true });
    expect(undone.status).toBe(200);
    const createdByA = [...all.values()].filter((m) => m.created_import_id === a.id).length;
    const createdByB = [...all.values()].filter((m) => m.created_import_id === b.id).length;
    expect(createdByA + createdByB).toBe(130);
    const removed = Object.fromEntries(undone.body.undone.map((u) => [u.importId, u.removed]));
    expect(removed[a.id]).toBe(createdByA);
    // B is undone first only when it wrote over members A created (the shared identifiers A won).
    if (removed[b.id] !== undefined) expect(removed[b.id]).toBe(createdByB);
    const left = await stored(audienceId);
    expect([...left.values()].every((m) => m.created_import_id === b.id)).toBe(true);
    expect(left.size).toBe(removed[b.id] === undefined ? createdByB : 0);
  });

  it("reads an import's members as a range of the audience's paging index, not a scan", async () => {
    const imp = await importRows({ audienceName: 'Plan' }, [['a@x.io', '', 'Oslo']]);
    const plan = async (sql: string) =>
      (await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind('default', imp.audienceId, imp.id).all<{ detail: string }>()).results.map((r) => r.detail);
    for (const sql of [`SELECT count(*) FROM member_records WHERE ${CREATED_BY_IMPORT}`, `DELETE FROM member_records WHERE ${CREATED_BY_IMPORT}`]) {
      const details = await plan(sql);
      expect(details).toContain('SEARCH member_records USING INDEX member_records_by_audience (audience_ref=? AND rowid>? AND rowid<?)');
      expect(details.filter((d) => /\bSCAN\b/.test(d))).toEqual([]);
    }
  });
});

describe('migration 0210 (import member spans)', () => {
  it("gives every import the span of the members it created, drops the created-by-import index, and undo works on it", async () => {
    const a = await start({ audienceName: 'Before spans' });
    const { audienceId } = a;
    await sendBatch(a.id, 0, rows(1, [['a1@x.io', '+14155551001', 'Oslo'], ['a2@x.io', '', 'Bern']]));
    const b = await importRows({ audienceId }, [['b1@x.io', '', 'Riga'], ['a1@x.io', '', 'Lyon']]);
    await sendBatch(a.id, 1, rows(3, [['a3@x.io', '', 'Graz']]));
    await finish(a.id);
    const other = await importRows({ audienceName: 'Another audience' }, [['z@x.io', '', 'Nice']]);
    const updateOnly = await importRows({ audienceId }, [['a2@x.io', '', 'Kiel']]);
    const imports = [a.id, b.id, other.id, updateOnly.id];
    const written = await Promise.all(imports.map(spanOf));
    expect(written.map((s) => s?.first === null)).toEqual([false, false, false, true]);

    // Back to the shape before 0210 (no spans, the index), the members as they are.
    await env.DB.batch(
      [
        'ALTER TABLE imports DROP COLUMN first_member_id',
        'ALTER TABLE imports DROP COLUMN last_member_id',
        'CREATE INDEX member_records_by_created_import ON member_records (audience_ref, created_import)',
      ].map((q) => env.DB.prepare(q)),
    );
    await runMigration('0210');
    expect(await Promise.all(imports.map(spanOf))).toEqual(written);
    const index = await env.DB.prepare("SELECT name FROM sqlite_schema WHERE name = 'member_records_by_created_import'").first();
    expect(index).toBeNull();

    const beforeUndo = await stored(audienceId);
    expect(await undo(audienceId, updateOnly.id)).toMatchObject({ status: 200 });
    const undoneB = await undo(audienceId, b.id);
    expect(undoneB.body.undone).toEqual([expect.objectContaining({ importId: b.id, removed: 1, restored: 1 })]);
    const undoneA = await undo(audienceId, a.id);
    expect(undoneA.body.undone).toEqual([expect.objectContaining({ importId: a.id, removed: 3, restored: 0 })]);
    expect((await stored(audienceId)).size).toBe(0);
    expect(beforeUndo.size).toBe(4);
    expect([...(await stored(other.audienceId)).keys()]).toEqual(['z@x.io']);
  });
});
