import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { MemberPage, UndoResult } from '../../shared/schema/audiences.ts';
import { call, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { membersBackToJson } from './support/jsonMembers.ts';
import { backToBefore0190, namedColumn, runMigration, importRowsWith, membersPageOf } from './support/memberMigrations.ts';

// Migration 0190 keys a member's stored attributes, hashes and sealed values by per-workspace field numbers instead
// of field names. This file writes members with the product, puts its D1 back into the shape before 0190 (0140's
// name-keyed columns and view), runs 0190's own statements and checks every value reads back exactly.

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'Phone', target: 'mobile', sensitive: true },
  { column: 'City', target: 'city' },
  { column: 'Notes', target: 'description' },
];

const SENSITIVE_ID: Column[] = COLUMNS.map((c) => (c.target === 'email' ? { ...c, sensitive: true } : c));

const schemaOf = async (name: string) => env.DB.prepare('SELECT type FROM sqlite_schema WHERE name = ?').bind(name).first<string>('type');
const viewRows = async () => (await env.DB.prepare('SELECT * FROM members ORDER BY id').all()).results;
/** Snapshots as name-keyed JSON: stored so before 0190, decoded after it. */
const snapshotRows = async (decode: boolean) => {
  const col = (c: string) => (decode ? namedColumn(c, 'member_snapshots.workspace_id') : c);
  return (
    await env.DB.prepare(
      `SELECT import_id, member_id, ${col('attributes')} AS a, ${col('hashes')} AS h, ${col('sealed')} AS s FROM member_snapshots ORDER BY import_id, member_id`,
    ).all()
  ).results;
};
/** Every key of every stored member column (of one audience): field names before 0190, numbers after. */
const storedKeys = async (audienceId?: string) =>
  (
    await env.DB.prepare(
      `SELECT DISTINCT e.key FROM member_records AS m, json_each(json_array(json(m.attributes), json(m.hashes), json(m.sealed))) AS c, json_each(c.value) AS e
       WHERE ?1 IS NULL OR m.audience_ref = (SELECT ref FROM audiences WHERE id = ?1) ORDER BY 1`,
    )
      .bind(audienceId ?? null)
      .all<{ key: string }>()
  ).results.map((r) => r.key);
/** Per member (by id): how many values of attributes and of hashes are stored as the key's marker 0. */
const keyMarkers = async () =>
  (
    await env.DB.prepare(
      `SELECT (SELECT count(*) FROM json_each(attributes) WHERE type = 'integer') AS inAttributes,
              (SELECT count(*) FROM json_each(hashes) WHERE type = 'integer') AS inHashes
       FROM member_records ORDER BY id`,
    ).all<{ inAttributes: number; inHashes: number }>()
  ).results;
const page = membersPageOf;

const importRows = (audience: { audienceId?: string; audienceName?: string }, values: string[][]) => importRowsWith(COLUMNS, audience, values);

describe('migration 0190 (member field numbers)', () => {
  it('carries every member and snapshot over exactly; reads, dedupe, search, updates and undo work on the migrated rows', async () => {
    const first = await importRows({ audienceName: 'Before field numbers' }, [
      ['a@x.io', '+14155552671', 'Paris', 'Met at "Expo", booth 12\nfollow up'],
      ['b@x.io', '', 'São Paulo', ''],
      ['c@x.io', '+14155550000', 'Zürich', 'VIP, since 2001 — ✓'],
    ]);
    const second = await importRows({ audienceId: first.audienceId }, [['b@x.io', '+14155551111', 'Lima', 'tab\there']]);
    // An audience whose identifier is sensitive: its key is the email's keyed hash, which `hashes` holds too.
    const hashed = await startImport(startBody(SENSITIVE_ID, 'Email', { audienceName: 'Hashed identifiers' }));
    await sendBatch(hashed.id, 0, rows(1, [['h@x.io', '+14155552222', 'Oslo', '']]));
    await ok('POST', `/api/imports/${hashed.id}/finish`);
    const membersBefore = await page(first.audienceId);
    const hashedBefore = await page(hashed.audienceId);
    // The product writes packed columns now: put back in the numbered JSON form it wrote before them (what 0190 made
    // and what this test starts from); a value equal to the key stored once: the plain identifier's own attribute,
    // the sensitive identifier's keyed hash.
    await membersBackToJson();
    expect(await storedKeys()).toEqual(['1', '2', '3', '4']);
    const markersNow = await keyMarkers();
    expect(markersNow).toEqual([...Array(3).fill({ inAttributes: 1, inHashes: 0 }), { inAttributes: 0, inHashes: 1 }]);
    const viewNow = await viewRows();

    await backToBefore0190();
    expect(await schemaOf('member_field_refs')).toBeNull();
    expect(await storedKeys()).toEqual(['city', 'description', 'email', 'mobile']);
    const legacyRows = await viewRows();
    expect(legacyRows).toEqual(viewNow);
    const legacySnapshots = await snapshotRows(false);
    expect(legacyRows).toHaveLength(4);
    expect(legacySnapshots).toHaveLength(1);
    const legacyB = legacyRows.find((r) => (r as { identifier_key: string }).identifier_key === 'b@x.io') as { attributes: string };
    expect(JSON.parse(legacyB.attributes)).toEqual({ email: 'b@x.io', city: 'Lima', description: 'tab\there' });

    expect(await keyMarkers()).toEqual(Array(4).fill({ inAttributes: 0, inHashes: 0 }));
    await runMigration('0190');
    await runMigration('0220');
    // Numbered in name order per workspace, the key's values stored once as the product writes them.
    expect(await storedKeys()).toEqual(['1', '2', '3', '4']);
    expect(await keyMarkers()).toEqual(markersNow);
    // Every column of every member reads back as it was (the view decodes), and so does every snapshot.
    expect(await viewRows()).toEqual(legacyRows);
    expect(await snapshotRows(true)).toEqual(legacySnapshots);
    expect(await page(first.audienceId)).toEqual(membersBefore);
    expect(await page(hashed.audienceId)).toEqual(hashedBefore);

    // Dedupe against migrated rows, and a merge that keeps the values the new row does not carry.
    const third = await importRows({ audienceId: first.audienceId }, [
      ['a@x.io', '', 'Lyon', ''],
      ['d@x.io', '', 'Bern', ''],
    ]);
    expect((await ok<{ counts: { inserted: number; updated: number } }>('GET', `/api/imports/${third.id}`)).counts).toMatchObject({ inserted: 1, updated: 1 });
    const after = await page(first.audienceId);
    expect(after.members.find((m) => m.identifier === 'a@x.io')).toMatchObject({
      attributes: { city: 'Lyon', description: 'Met at "Expo", booth 12\nfollow up' },
      sensitive: { mobile: expect.any(String) },
    });
    // Search by a plain field goes through its number.
    const found = await ok<MemberPage>('GET', `/api/audiences/${first.audienceId}/members?limit=10&field=city&value=${encodeURIComponent('Zürich')}`);
    expect(found.members.map((m) => m.identifier)).toEqual(['c@x.io']);
    // …also a value stored once as the member's key.
    const byKeyValue = await ok<MemberPage>('GET', `/api/audiences/${first.audienceId}/members?limit=10&field=email&value=c%40x.io`);
    expect(byKeyValue.members.map((m) => [m.identifier, m.attributes.email])).toEqual([['c@x.io', 'c@x.io']]);

    // Undo restores the migrated row exactly, then the snapshot migrated from names.
    expect((await call<UndoResult>('POST', `/api/audiences/${first.audienceId}/imports/${third.id}/undo`, { chain: false })).status).toBe(200);
    expect(await page(first.audienceId)).toEqual(membersBefore);
    expect((await call<UndoResult>('POST', `/api/audiences/${first.audienceId}/imports/${second.id}/undo`, { chain: false })).status).toBe(200);
    expect((await page(first.audienceId)).members.find((m) => m.identifier === 'b@x.io')?.attributes).toEqual({ email: 'b@x.io', city: 'São Paulo' });

    // The sensitive identifier dedupes against its migrated key; search by the identifier finds it.
    const again = await startImport(startBody(SENSITIVE_ID, 'Email', { audienceId: hashed.audienceId }));
    expect((await sendBatch(again.id, 0, rows(1, [['H@x.io', '', 'Bergen', '']]))).counts).toMatchObject({ inserted: 0, updated: 1 });
    const byIdentifier = await ok<MemberPage>('GET', `/api/audiences/${hashed.audienceId}/members?limit=10&identifier=h%40x.io`);
    expect(byIdentifier.members.map((m) => [m.attributes.city, Object.keys(m.sensitive).sort()])).toEqual([['Bergen', ['email', 'mobile']]]);

    // A field new to the workspace gets the next number.
    const more = await startImport(startBody([...COLUMNS, { column: 'Town', target: 'country' }], 'Email', { audienceId: first.audienceId }));
    await sendBatch(more.id, 0, rows(1, [['e@x.io', '', 'Graz', '', 'AT']]));
    expect(await env.DB.prepare("SELECT ref FROM member_field_refs WHERE workspace_id = 'default' AND key = 'country'").first('ref')).toBe(5);
    expect((await page(first.audienceId)).members.find((m) => m.identifier === 'e@x.io')?.attributes).toMatchObject({ city: 'Graz', country: 'AT' });
  });

  it('stops, changing nothing, when a stored value is not a JSON object of strings', async () => {
    const imp = await importRows({ audienceName: 'Odd value' }, [['a@x.io', '', 'Paris', '']]);
    await backToBefore0190();
    await env.DB.prepare(`UPDATE members SET attributes = '{"city":5}' WHERE audience_id = ?`).bind(imp.audienceId).run();
    const legacyRows = await viewRows();
    await expect(runMigration('0190')).rejects.toThrow(/NOT NULL/);
    expect(await schemaOf('member_field_refs')).toBeNull();
    expect(await storedKeys(imp.audienceId)).toEqual(['city']);
    expect(await viewRows()).toEqual(legacyRows);
  });
});
