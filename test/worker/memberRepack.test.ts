import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSensitiveCell } from '../../shared/privacy/checkSensitiveCell.ts';
import { sealBatchCells } from '../../shared/privacy/sealBatchCells.ts';
import type { MemberPage, UndoResult } from '../../shared/schema/audiences.ts';
import type { FieldType } from '../../shared/schema/fields.ts';
import type { BatchResult, PrivateBatchRow } from '../../shared/schema/imports.ts';
import type { PrivateCell, WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import { nextMembers } from '../../worker/push/pushMembers.ts';
import { fieldNamesByRef } from '../../worker/store/members.ts';
import worker from '../../worker/index.ts';
import { MEMBER_RECORD_COLUMNS, MEMBERS_TO_REPACK_SQL, STAGE_REPACKED_SQL, membersToRepack, repackedRows, repackMembers, writeRepacked } from '../../worker/store/memberRepack.ts';
import { call, fetchAs, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { membersBackToJson } from './support/jsonMembers.ts';
import { MIXED_COLUMNS, MIXED_COLUMNS_SENSITIVE_ID, MIXED_ROWS } from './support/mixedMembers.ts';
import { keyedHashPrefix, openedFields, packMembersInPlace, storedMembers, type StoredMember } from './support/storedMembers.ts';

// The background re-pack (worker/store/memberRepack.ts): members imported through the API (stored as 0190's JSON by
// today's write path, or put back into it by support/jsonMembers.ts) are re-packed in small steps and read the same through every reader,
// with nothing else about them changed.

const COLUMNS = MIXED_COLUMNS;
const SENSITIVE_ID = MIXED_COLUMNS_SENSITIVE_ID;
const FIRST = MIXED_ROWS;
// Updates two members (one sensitive value each) and adds one.
const SECOND = [
  ['b@x.io', '+14155559999', 'Bob', 'Lyon', 'moved'],
  ['e@x.io', '', 'Eve', 'Zürich', ''],
  ['f@x.io', '+14155550002', 'Fay', 'Paris', ''],
];

async function importInto(columns: Column[], audience: { audienceId?: string; audienceName?: string }, values: string[][]) {
  const imp = await startImport(startBody(columns, 'Email', audience));
  await sendBatch(imp.id, 0, rows(1, values));
  await ok('POST', `/api/imports/${imp.id}/finish`);
  // As 0190 stored them, whichever form the write path stores.
  await membersBackToJson('default', imp.audienceId);
  return imp;
}

/** Every member's value columns in their stored SQL type. */
async function columnTypes(audienceId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT typeof(attributes) || ' ' || typeof(hashes) || ' ' || typeof(sealed) AS types FROM member_records
     WHERE audience_ref = (SELECT ref FROM audiences WHERE id = ?) ORDER BY id`,
  )
    .bind(audienceId)
    .all<{ types: string }>();
  return results.map((r) => r.types);
}

/** Everything about a member but its value columns, as stored (integers, not the view's text). */
async function stamps(audienceId: string) {
  const { results } = await env.DB.prepare(
    `SELECT id, identifier_key, created_import, updated_import, previous_import, created_at, updated_at, hash_scheme, removed_from_source_at
     FROM member_records WHERE audience_ref = (SELECT ref FROM audiences WHERE id = ?) ORDER BY id`,
  )
    .bind(audienceId)
    .all();
  return results;
}

const exportCsv = async (audienceId: string) => {
  const res = await fetchAs('admin', `/api/audiences/${audienceId}/export.csv`);
  expect(res.status).toBe(200);
  return res.text();
};

/** What the member page, a field search, the export (sealed values opened) and the push read of an audience. */
async function readersOf(audienceId: string) {
  return {
    page: await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=100`),
    byCity: await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=100&field=city&value=Paris`),
    byIdentifier: await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=10&identifier=B%40x.io`),
    csv: await exportCsv(audienceId),
    pushed: (await nextMembers(env, 'default', audienceId, { conditions: [], params: [] }, 0, 100, ['mobile', 'first_name'])).map((m) => [m.label, m.values, m.sensitiveFields]),
  };
}

/** The values a stored member holds, sealed ones opened, hashes as the JSON form held them (whole). */
async function valuesOf(members: StoredMember[]) {
  return Promise.all(
    members.map(async (m) => ({
      id: m.id,
      attributes: m.attributes,
      hashes: Object.keys(m.hashes).sort(),
      opened: await openedFields(m),
    })),
  );
}

/** Steps of `maxRows` until one reads nothing: the steps' counts. */
async function repackAll(maxRows: number) {
  const steps = [];
  for (let i = 0; i < 50; i++) {
    const step = await repackMembers(env.DB, env.ENCRYPTION_KEY, maxRows);
    steps.push(step);
    if (step.read === 0) return steps;
  }
  throw new Error('the re-pack did not finish in 50 steps');
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A privacy-mode batch as tabs sent it before rows were sealed whole (as in privacyMode.test.ts): each sensitive cell normalized and sealed apart. */
async function privateBatch(types: (FieldType | null)[], table: string[][]) {
  const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
  const toSeal: { type: FieldType; normalized: string }[] = [];
  const places: { r: number; i: number }[] = [];
  const out: (string | PrivateCell)[][] = table.map((values, r) =>
    values.map((raw, i) => {
      const type = types[i];
      if (!type || raw.trim() === '') return raw;
      const verdict = checkSensitiveCell(raw, { type, defaultCountry: 'US' });
      if (!verdict.ok) throw new Error(`refused: ${raw}`);
      toSeal.push({ type, normalized: verdict.normalized });
      places.push({ r, i });
      return '';
    }),
  );
  // Each value its own envelope: members stored in 0190's JSON form (which membersBackToJson writes) held one a value.
  const { sealing, rows } = await sealBatchCells(
    key,
    toSeal.map((c) => [c]),
  );
  places.forEach(({ r, i }, n) => ((out[r] as (string | PrivateCell)[])[i] = rows[n]?.[0] as PrivateCell));
  return { rows: out.map((values, r): PrivateBatchRow => ({ row: 1 + r, values })), sealing };
}

const resetCursor = () => env.DB.prepare('UPDATE member_repack_cursor SET after_id = 0').run();

describe('the member re-pack', () => {
  it('re-packs JSON members in bounded steps; every reader answers the same; stamps, envelopes and undo are kept', async () => {
    await resetCursor();
    const first = await importInto(COLUMNS, { audienceName: 'Repack plain' }, FIRST);
    const second = await importInto(COLUMNS, { audienceId: first.audienceId }, SECOND);
    const hashed = await importInto(SENSITIVE_ID, { audienceName: 'Repack hashed' }, FIRST);
    const audiences = [first.audienceId, hashed.audienceId];
    for (const id of audiences) expect((await columnTypes(id)).every((t) => t === 'text text text')).toBe(true);

    const before = await Promise.all(audiences.map(readersOf));
    const stampsBefore = await Promise.all(audiences.map(stamps));
    const storedBefore = await Promise.all(audiences.map((id) => storedMembers(id)));
    // The answers are the data's (checked once, on the JSON rows).
    expect(before[0]?.byCity.members.map((m) => m.identifier)).toEqual(['a@x.io', 'd@x.io', 'f@x.io']);
    expect(before[0]?.pushed[1]).toEqual(['b@x.io', { email: 'b@x.io', city: 'Lyon', description: 'moved', mobile: '+14155559999', first_name: 'Bob' }, ['first_name', 'mobile']]);
    // The export hashes each sealed value it opens (Customer Match SHA-256).
    expect(before[0]?.csv).toContain(`a@x.io,${sha256('+14155552671')},${sha256('ada')},Paris,a@x.io`);

    const steps = await repackAll(4);
    expect(steps.length).toBeGreaterThan(3);
    expect(steps.every((s) => s.read <= 4 && s.skipped === 0 && s.leftAsWritten === 0)).toBe(true);
    expect(steps.reduce((n, s) => n + s.repacked, 0)).toBe(6 + 5);

    for (const id of audiences) expect((await columnTypes(id)).every((t) => t === 'blob blob blob')).toBe(true);
    expect(await Promise.all(audiences.map(readersOf))).toEqual(before);
    expect(await Promise.all(audiences.map(stamps))).toEqual(stampsBefore);

    const storedAfter = await Promise.all(audiences.map((id) => storedMembers(id)));
    for (const [i, after] of storedAfter.entries()) {
      const json = storedBefore[i] ?? expect.fail('no members');
      expect(after.every((m) => m.packed)).toBe(true);
      expect(await valuesOf(after)).toEqual(await valuesOf(json));
      // A member's server-sealed values are one envelope now, naming its fields; a member with one sealed value
      // keeps its envelope, the same bytes (nothing to merge, nothing opened).
      after.forEach((m, k) => {
        const old = json[k]?.envelopes ?? [];
        if (old.length < 2) expect(m.envelopes).toEqual(old);
        else expect(m.envelopes.map((e) => [e.kind, e.fields])).toEqual([['server', old.flatMap((e) => e.fields)]]);
      });
      // Keyed hashes are cut to 128 bits; a sensitive identifier's own hash stays the member's key.
      after.forEach((m, k) => {
        const hashes = json[k]?.hashes ?? {};
        expect(m.hashes).toEqual(Object.fromEntries(Object.entries(hashes).map(([f, h]) => [f, keyedHashPrefix(m, h)])));
      });
    }
    expect(storedAfter[0]?.map((m) => m.envelopes.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(storedBefore[0]?.map((m) => m.envelopes.length)).toEqual([2, 2, 1, 1, 1, 2]);
    const hashedAda = storedAfter[1]?.[0] ?? expect.fail('no member');
    expect(hashedAda.hashes.email).toBe(hashedAda.identifier_key);
    expect(hashedAda.hashes.mobile).toHaveLength(32);

    // Undo of the second import restores its members' snapshots (0190's JSON, as stored then): they read as after
    // the first import, and the next step re-packs them.
    const undone = await call<UndoResult>('POST', `/api/audiences/${first.audienceId}/imports/${second.id}/undo`, { chain: false });
    expect(undone.status).toBe(200);
    expect(undone.body.undone).toEqual([expect.objectContaining({ importId: second.id, removed: 1, restored: 2 })]);
    const restored = await storedMembers(first.audienceId);
    expect(restored.map((m) => m.attributes.email)).toEqual(['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io']);
    expect(restored.find((m) => m.attributes.email === 'b@x.io')).toMatchObject({ attributes: { city: 'Paris' } });
    expect(await openedFields(restored[1] ?? expect.fail('no b'))).toEqual({ mobile: '+14155550000', first_name: 'Bob' });
    expect(restored.filter((m) => !m.packed).map((m) => m.attributes.email)).toEqual(['b@x.io', 'e@x.io']);
    const stampsUndone = await stamps(first.audienceId);
    await repackAll(4);
    expect((await columnTypes(first.audienceId)).every((t) => t === 'blob blob blob')).toBe(true);
    expect(await stamps(first.audienceId)).toEqual(stampsUndone);
    expect(await valuesOf(await storedMembers(first.audienceId))).toEqual(await valuesOf(restored));
  });

  it('leaves a member written between its read and its write as written, and re-packs it on a later step', async () => {
    await resetCursor();
    const imp = await importInto(COLUMNS, { audienceName: 'Repack race' }, FIRST);
    const read = await membersToRepack(env.DB, 100);
    const ours = read.filter((r) => r.workspace_id === 'default');
    expect(ours.length).toBeGreaterThanOrEqual(5);
    const { writes, skipped } = await repackedRows(env.DB, ours);
    expect(skipped).toEqual([]);
    const [a, b, c, d] = (await storedMembers(imp.audienceId)).map((m) => m.id);
    // Meanwhile: an import's write moves a's stamp; sealing in place (as on main before the packed write path) writes
    // b's columns and keeps its stamp; the members view writes c's city.
    await env.DB.prepare('UPDATE member_records SET updated_at = updated_at + 1 WHERE id = ?').bind(a).run();
    await env.DB.prepare(`UPDATE member_records SET attributes = json_set(attributes, '$.' || (SELECT ref FROM member_field_refs WHERE workspace_id = 'default' AND key = 'description'), 'rewritten') WHERE id = ?`)
      .bind(b)
      .run();
    await env.DB.prepare("UPDATE members SET attributes = json_set(attributes, '$.city', 'Bergen') WHERE id = ?").bind(c).run();
    // And d is removed (a sync's deletion rule, an undo): the step must not bring it back.
    await env.DB.prepare('DELETE FROM member_records WHERE id = ?').bind(d).run();
    const stampsMeanwhile = await stamps(imp.audienceId);

    const changed = await writeRepacked(env.DB, writes, 0);
    expect(changed).toBe(writes.length - 4);
    expect((await columnTypes(imp.audienceId)).map((t) => t === 'blob blob blob')).toEqual([false, false, false, true]);
    expect((await storedMembers(imp.audienceId)).map((m) => m.id)).not.toContain(d);
    const meanwhile = await storedMembers(imp.audienceId);
    expect(meanwhile[1]?.attributes.description).toBe('rewritten');
    expect(meanwhile[2]?.attributes.city).toBe('Bergen');

    const steps = await repackAll(100);
    expect(steps[0]).toMatchObject({ repacked: 3, skipped: 0, leftAsWritten: 0 });
    expect((await columnTypes(imp.audienceId)).every((t) => t === 'blob blob blob')).toBe(true);
    expect(await stamps(imp.audienceId)).toEqual(stampsMeanwhile);
    expect(await valuesOf(await storedMembers(imp.audienceId))).toEqual(await valuesOf(meanwhile));
  });

  it('leaves rows still to re-key and rows it cannot decode, logs them, and goes on past them', async () => {
    await resetCursor();
    const imp = await importInto(COLUMNS, { audienceName: 'Repack skips' }, FIRST);
    const ids = (await storedMembers(imp.audienceId)).map((m) => m.id);
    expect(ids).toHaveLength(5);
    const [unreadable, altered, unkeyed] = [ids[0] as number, ids[1] as number, ids[2] as number];
    // An envelope that does not open (not sealed under this key): its member is re-packed with its envelopes one a
    // value, as they were, not merged and not dropped.
    const mobileRef = (await env.DB.prepare("SELECT ref FROM member_field_refs WHERE workspace_id = 'default' AND key = 'mobile'").first<{ ref: number }>())?.ref;
    await env.DB.prepare(`UPDATE member_records SET sealed = json_set(sealed, '$.' || ?, ?) WHERE id = ?`).bind(String(mobileRef), 'A'.repeat(56), altered).run();
    const alteredBefore = (await storedMembers(imp.audienceId)).find((m) => m.id === altered)?.envelopes;
    expect(alteredBefore).toHaveLength(2);
    await env.DB.prepare('UPDATE member_records SET hash_scheme = 0 WHERE id = ?').bind(unkeyed).run();
    // A number no workspace gave (a value the re-pack could not name): left, not dropped.
    await env.DB.prepare(`UPDATE member_records SET attributes = json_set(attributes, '$.9999', 'who?') WHERE id = ?`).bind(unreadable).run();
    const rowsBefore = await env.DB.prepare('SELECT id, attributes, hashes, sealed FROM member_records WHERE id IN (?, ?) ORDER BY id').bind(unkeyed, unreadable).all();

    // Steps of 1: the unreadable member comes first every pass and must not hold the others back.
    const steps = await repackAll(1);
    expect(steps.some((s) => s.skipped === 1)).toBe(true);
    expect((await columnTypes(imp.audienceId)).map((t) => t === 'blob blob blob')).toEqual([false, true, false, true, true]);
    expect((await env.DB.prepare('SELECT id, attributes, hashes, sealed FROM member_records WHERE id IN (?, ?) ORDER BY id').bind(unkeyed, unreadable).all()).results).toEqual(
      rowsBefore.results,
    );
    await env.DB.prepare('DELETE FROM member_records WHERE id = ?').bind(unreadable).run();
    expect((await storedMembers(imp.audienceId)).find((m) => m.id === altered)?.envelopes).toEqual(alteredBefore);
    await env.DB.prepare('DELETE FROM member_records WHERE id IN (?, ?)').bind(unkeyed, altered).run();
  });

  it('keeps privacy-mode members\' private envelopes as they are, and they still open', async () => {
    await resetCursor();
    const columns: Column[] = [
      { column: 'E-mail', target: 'email', sensitive: true },
      { column: 'Cell', target: 'mobile', sensitive: true },
      { column: 'Given name', target: 'first_name' },
    ];
    const imp = await startImport({ ...startBody(columns, 'E-mail', { audienceName: 'Repack private' }), privacyMode: true });
    const batch = await privateBatch(['email', 'phone', null], [
      ['priv.ada@example.com', '(415) 555-0101', 'Ada'],
      ['priv.bob@example.org', '', 'Bob'],
    ]);
    const put = await call<BatchResult>('PUT', `/api/imports/${imp.id}/batches/0`, { seq: 0, idempotencyKey: `key-${imp.id}-0`, ...batch });
    expect(put.status).toBe(200);
    await membersBackToJson('default', imp.audienceId);
    const json = await storedMembers(imp.audienceId);
    expect(json.flatMap((m) => m.envelopes.map((e) => e.kind))).toEqual(['private', 'private', 'private']);
    const pushedBefore = await nextMembers(env, 'default', imp.audienceId, { conditions: [], params: [] }, 0, 10, ['email', 'mobile']);
    const stampsBefore = await stamps(imp.audienceId);

    await repackAll(2);
    const packed = await storedMembers(imp.audienceId);
    expect((await columnTypes(imp.audienceId)).every((t) => t === 'blob blob blob')).toBe(true);
    expect(packed.map((m) => m.envelopes)).toEqual(json.map((m) => m.envelopes));
    expect(await openedFields(packed[0] ?? expect.fail('no member'))).toEqual({ email: 'priv.ada@example.com', mobile: '+14155550101' });
    expect(await openedFields(packed[1] ?? expect.fail('no member'))).toEqual({ email: 'priv.bob@example.org' });
    expect(await nextMembers(env, 'default', imp.audienceId, { conditions: [], params: [] }, 0, 10, ['email', 'mobile'])).toEqual(pushedBefore);
    expect(await stamps(imp.audienceId)).toEqual(stampsBefore);
  });

  it('copies a private envelope naming a row\'s fields byte for byte when it re-packs the member around it', async () => {
    await resetCursor();
    const columns: Column[] = [
      { column: 'E-mail', target: 'email', sensitive: true },
      { column: 'Cell', target: 'mobile', sensitive: true },
      { column: 'Given name', target: 'first_name' },
    ];
    const imp = await startImport({ ...startBody(columns, 'E-mail', { audienceName: 'Repack private rows' }), privacyMode: true });
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    // The row sealed whole, as the tab seals it: one envelope for email and mobile.
    const { sealing, rows: sealed } = await sealBatchCells(key, [
      [
        { type: 'email', normalized: 'rows.cy@example.com' },
        { type: 'phone', normalized: '+14155550141' },
      ],
    ]);
    const values = [...(sealed[0] as PrivateCell[]), 'Cy'];
    const put = await call<BatchResult>('PUT', `/api/imports/${imp.id}/batches/0`, { seq: 0, idempotencyKey: `key-${imp.id}-0`, rows: [{ row: 1, values }], sealing });
    expect(put.status).toBe(200);
    const [written] = await storedMembers(imp.audienceId);
    expect(written?.envelopes.map((e) => e.fields)).toEqual([['email', 'mobile']]);
    // Its attributes put back into 0190's JSON text: the re-pack takes the member up, its packed `sealed` as read.
    const refs = new Map([...(await fieldNamesByRef(env.DB, 'default'))].map(([ref, name]) => [name, ref]));
    await env.DB.prepare('UPDATE member_records SET attributes = ?1 WHERE id = ?2').bind(JSON.stringify({ [String(refs.get('first_name'))]: 'Cy' }), written?.id).run();
    await repackAll(10);
    expect((await columnTypes(imp.audienceId)).every((t) => t === 'blob blob blob')).toBe(true);
    const [repacked] = await storedMembers(imp.audienceId);
    expect(repacked?.attributes).toEqual({ first_name: 'Cy' });
    expect(repacked?.envelopes).toEqual(written?.envelopes);
    expect(await openedFields(repacked ?? expect.fail('no member'))).toEqual({ email: 'rows.cy@example.com', mobile: '+14155550141' });
    await ok('DELETE', `/api/audiences/${imp.audienceId}`);
  });

  it('reads members to re-pack as a range of the partial index, never a scan of every member', async () => {
    const details = (await env.DB.prepare(`EXPLAIN QUERY PLAN ${MEMBERS_TO_REPACK_SQL}`).bind(10).all<{ detail: string }>()).results.map((r) => r.detail);
    expect(details).toContain('SEARCH m USING INDEX member_records_json (hash_scheme=? AND rowid>?)');
    expect(details.filter((d) => /\bSCAN\b/.test(d))).toEqual([]);
    // The write finds each member by its id, once per JSON item; never a walk of member_records per item.
    const stage = (await env.DB.prepare(`EXPLAIN QUERY PLAN ${STAGE_REPACKED_SQL}`).bind('[]').all<{ detail: string }>()).results.map((r) => r.detail);
    expect(stage.filter((d) => /\b(SCAN|SEARCH) m\b/.test(d))).toEqual(['SEARCH m USING INTEGER PRIMARY KEY (rowid=?)']);
  });

  it('moves every column of a member: member_records, the staging table and the list the step copies agree', async () => {
    const columnsOf = async (table: string) => (await env.DB.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').bind(table).all<{ name: string }>()).results.map((c) => c.name);
    expect(await columnsOf('member_records')).toEqual([...MEMBER_RECORD_COLUMNS]);
    expect(await columnsOf('member_repack_rows')).toEqual([...MEMBER_RECORD_COLUMNS]);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM member_repack_rows').first<{ n: number }>())?.n).toBe(0);
  });

  it('reads the same after a packed member is put back into JSON and re-packed (the test support round trip)', async () => {
    await resetCursor();
    const imp = await importInto(SENSITIVE_ID, { audienceName: 'Repack round trip' }, FIRST);
    const before = await readersOf(imp.audienceId);
    const values = await valuesOf(await storedMembers(imp.audienceId));
    await packMembersInPlace(imp.audienceId);
    expect((await columnTypes(imp.audienceId)).every((t) => t === 'blob blob blob')).toBe(true);
    expect(await membersBackToJson('default', imp.audienceId)).toBe(5);
    expect((await columnTypes(imp.audienceId)).every((t) => t === 'text text text')).toBe(true);
    expect(await readersOf(imp.audienceId)).toEqual(before);
    await repackAll(100);
    expect((await columnTypes(imp.audienceId)).every((t) => t === 'blob blob blob')).toBe(true);
    expect(await valuesOf(await storedMembers(imp.audienceId))).toEqual(values);
    expect(await readersOf(imp.audienceId)).toEqual(before);
  });

  it('runs a step on the minute Cron Trigger', async () => {
    await resetCursor();
    const imp = await importInto(COLUMNS, { audienceName: 'Repack cron' }, FIRST);
    expect((await columnTypes(imp.audienceId)).every((t) => t === 'text text text')).toBe(true);
    const before = await readersOf(imp.audienceId);
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await columnTypes(imp.audienceId)).every((t) => t === 'blob blob blob')).toBe(true);
    expect(await readersOf(imp.audienceId)).toEqual(before);
  });
});
