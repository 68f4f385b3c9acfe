import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Audience, ImportHistoryEntry, UndoResult } from '../../shared/schema/audiences.ts';
import { call, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { openedFields, storedMembers } from './support/storedMembers.ts';

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'Phone', target: 'mobile', sensitive: true },
  { column: 'City', target: 'city' },
];

/** Everything an audience holds, as stored (ids apart), sorted: "back to its earlier state" compares this. */
async function storedState(audienceId: string) {
  const results = (await storedMembers(audienceId))
    .map(({ identifier_key, attributes, hashes, envelopes, created_import_id, updated_import_id, updated_at }) => ({ identifier_key, attributes, hashes, envelopes, created_import_id, updated_import_id, updated_at }))
    .sort((a, b) => (a.identifier_key < b.identifier_key ? -1 : 1));
  const audience = await ok<Audience>('GET', `/api/audiences/${audienceId}`);
  return { members: results, memberCount: audience.memberCount };
}

async function importRows(audience: { audienceId?: string; audienceName?: string }, values: string[][]) {
  const imp = await startImport(startBody(COLUMNS, 'Email', audience));
  await sendBatch(imp.id, 0, rows(1, values.slice(0, 2)));
  if (values.length > 2) await sendBatch(imp.id, 1, rows(3, values.slice(2)));
  await ok('POST', `/api/imports/${imp.id}/finish`);
  return imp;
}

const undo = (audienceId: string, importId: string, chain = false) =>
  call<UndoResult & { error?: { code: string; details: { laterImports: { id: string }[] } } }>(
    'POST',
    `/api/audiences/${audienceId}/imports/${importId}/undo`,
    { chain },
  );

describe('undo an import', () => {
  it('removes every member an insert-only import added, and records the undo in the history', async () => {
    const first = await importRows({}, [
      ['a@x.io', '+14155552671', 'Paris'],
      ['b@x.io', '', 'Rome'],
      ['c@x.io', '', 'Oslo'],
    ]);
    expect((await storedState(first.audienceId)).memberCount).toBe(3);

    const answer = await undo(first.audienceId, first.id);
    expect(answer.status).toBe(200);
    expect(answer.body.undone).toEqual([expect.objectContaining({ importId: first.id, removed: 3, restored: 0 })]);
    expect(await storedState(first.audienceId)).toEqual({ members: [], memberCount: 0 });

    const history = await ok<ImportHistoryEntry[]>('GET', `/api/audiences/${first.audienceId}/imports`);
    expect(history.map((h) => [h.import.id, h.state, h.undo?.removed, h.undoable])).toEqual([[first.id, 'undone', 3, false]]);
    expect((await undo(first.audienceId, first.id)).status).toBe(409);
  });

  it('gives members an update import changed their previous values back, sealed ones included', async () => {
    const first = await importRows({}, [
      ['a@x.io', '+14155552671', 'Paris'],
      ['b@x.io', '+14155552672', 'Rome'],
    ]);
    const before = await storedState(first.audienceId);
    const second = await importRows({ audienceId: first.audienceId }, [
      ['a@x.io', '+14155550000', 'Lyon'],
      ['d@x.io', '', 'Bern'],
      ['a@x.io', '', 'Nice'],
    ]);
    const changed = await storedState(first.audienceId);
    expect(changed.memberCount).toBe(3);
    expect(changed.members.find((m) => m.identifier_key === 'a@x.io')?.attributes.city).toBe('Nice');

    const answer = await undo(first.audienceId, second.id);
    expect(answer.status).toBe(200);
    expect(answer.body.undone).toEqual([expect.objectContaining({ importId: second.id, removed: 1, restored: 1 })]);
    expect(answer.body.audience.memberCount).toBe(2);
    const after = await storedState(first.audienceId);
    expect(after).toEqual(before);
    // The restored ciphertext still opens to the first import's phone.
    const restored = (await storedMembers(first.audienceId)).find((m) => m.identifier_key === 'a@x.io') ?? expect.fail('a@x.io is gone');
    expect(await openedFields(restored)).toEqual({ mobile: '+14155552671' });
  });

  it('refuses while a later import changed the same members, then undoes the chain newest first in one go', async () => {
    const first = await importRows({}, [
      ['a@x.io', '', 'Paris'],
      ['b@x.io', '', 'Rome'],
    ]);
    const afterFirst = await storedState(first.audienceId);
    const second = await importRows({ audienceId: first.audienceId }, [
      ['a@x.io', '', 'Lyon'],
      ['e@x.io', '', 'Graz'],
    ]);
    const third = await importRows({ audienceId: first.audienceId }, [
      ['e@x.io', '', 'Linz'],
      ['f@x.io', '', 'Kiel'],
    ]);
    const untouched = await importRows({ audienceId: first.audienceId }, [['z@x.io', '', 'Turin']]);
    const beforeUndo = await storedState(first.audienceId);

    const refused = await undo(first.audienceId, first.id);
    expect(refused.status).toBe(409);
    // second wrote over first's a@x.io; third over second's e@x.io: both must go first, newest first.
    expect(refused.body.error?.details.laterImports.map((l) => l.id)).toEqual([third.id, second.id]);
    expect(await storedState(first.audienceId)).toEqual(beforeUndo);

    const chained = await undo(first.audienceId, first.id, true);
    expect(chained.status).toBe(200);
    expect(chained.body.undone.map((u) => u.importId)).toEqual([third.id, second.id, first.id]);
    const left = await storedState(first.audienceId);
    expect(left.members.map((m) => m.identifier_key)).toEqual(['z@x.io']);
    expect(left.memberCount).toBe(1);

    // Undoing the untouched import alone puts the audience back where the first import started: empty.
    expect((await undo(first.audienceId, untouched.id)).status).toBe(200);
    expect(await storedState(first.audienceId)).toEqual({ members: [], memberCount: 0 });
    expect(afterFirst.memberCount).toBe(2);
  });

  it('aborts the whole undo when another import writes in between (the guard inside the transaction)', async () => {
    const first = await importRows({}, [['a@x.io', '', 'Paris']]);
    const state = await storedState(first.audienceId);
    // A write the undo's own check did not see: a later import's change lands after the lookup (any other import
    // will do: members name their writers by existing imports only).
    const someoneElse = await importRows({}, [['b@x.io', '', 'Rome']]);
    await env.DB.prepare(`UPDATE members SET updated_import_id = ? WHERE audience_id = ?`).bind(someoneElse.id, first.audienceId).run();
    const { undoImportStatements } = await import('../../worker/store/importUndos.ts');
    await expect(env.DB.batch(undoImportStatements(env.DB, 'default', first.audienceId, first.id, new Date().toISOString()))).rejects.toThrow(
      /constraint/i,
    );
    const after = await storedState(first.audienceId);
    expect(after.memberCount).toBe(state.memberCount);
    expect(after.members).toHaveLength(1);
  });

  it('is not offered for an import of another audience', async () => {
    const one = await importRows({}, [['a@x.io', '', 'Paris']]);
    const other = await importRows({}, [['b@x.io', '', 'Rome']]);
    expect((await undo(one.audienceId, other.id)).status).toBe(404);
  });
});
