import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { readAesKey } from '../../worker/crypto/aesGcm.ts';
import { keyedHasherFor } from '../../worker/crypto/keyedHash.ts';
import { sensitiveKey } from '../../worker/crypto/sensitiveKey.ts';
import { snapshotMembersStatements } from '../../worker/store/memberSnapshots.ts';
import { fieldNamesByRef, fieldRefs } from '../../worker/store/members.ts';
import { decodeMemberColumns, envelopeValues, sealedRefOf, type MemberValues, type SealedEnvelope, type StoredColumn } from '../../worker/store/packedColumns.ts';
import { ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { membersBackToJson } from './support/jsonMembers.ts';
import { storedRow, type StoredRow } from './support/storedMembers.ts';

/*
 * A batch merges into a stored member from its packed bytes (packedColumns.ts mergePackedColumnsHex: entries the
 * write does not touch copied, not decoded) and snapshots it from them (snapshotPackedColumnsHex), and decodes only
 * a member in 0190's JSON form. These check what that must keep exactly: merged values, the report's counts, the
 * write stamps, and undo giving back the member as it was.
 */

const COLUMNS: Column[] = [
  { column: 'Customer', target: 'customer_id' },
  { column: 'E-mail', target: 'email', sensitive: true },
  { column: 'Cell', target: 'mobile', sensitive: true },
  { column: 'City', target: 'city' },
];

const hasher = await keyedHasherFor(env.HASH_KEY);
const aesKey = await crypto.subtle.importKey('raw', new Uint8Array(readAesKey(env.ENCRYPTION_KEY)), 'AES-GCM', false, ['decrypt']);

async function opened(values: MemberValues, field: string): Promise<string | undefined> {
  const ref = sealedRefOf(values.sealed, field);
  if (!ref) return undefined;
  const { bytes, fields } = ref.envelope as SealedEnvelope & { kind: 'server' };
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, aesKey, bytes.subarray(12));
  return envelopeValues(new Uint8Array(plain), fields.length)[ref.index];
}

/** Values with envelope bytes as plain arrays, so equality compares them byte for byte. */
const comparable = (v: MemberValues) => ({ ...v, sealed: v.sealed.map((e) => ({ ...e, bytes: [...e.bytes] })) });

async function importRows(columns: Column[], identifier: string, audience: { audienceId?: string }, values: string[][]) {
  const imp = await startImport(startBody(columns, identifier, audience));
  const result = await sendBatch(imp.id, 0, rows(1, values));
  await ok('POST', `/api/imports/${imp.id}/finish`);
  return { ...imp, counts: result.counts };
}

const undo = (audienceId: string, importId: string) => ok<{ undone: { importId: string; restored: number }[] }>('POST', `/api/audiences/${audienceId}/imports/${importId}/undo`, { chain: false });
const importRef = async (importId: string) => (await env.DB.prepare('SELECT ref FROM imports WHERE id = ?').bind(importId).first<{ ref: number }>())?.ref;

describe('a merge into a stored member', () => {
  it('of an unchanged row: counted as an update, stamped with the import, every column byte for byte as stored (nothing sealed again); undo gives the member back', async () => {
    const row = ['C-1', 'ada@example.com', '+14155552671', 'Paris'];
    const first = await importRows(COLUMNS, 'Customer', {}, [row]);
    const before = await storedRow(first.audienceId, 'C-1');
    const again = await importRows(COLUMNS, 'Customer', { audienceId: first.audienceId }, [row]);
    expect(again.counts).toMatchObject({ inserted: 0, updated: 1, duplicates: 0 });
    const after = await storedRow(first.audienceId, 'C-1');
    expect(after.row.types).toBe('blob,blob,blob');
    expect(after.row.updated_import).toBe(await importRef(again.id));
    expect(after.row.previous_import).toBe(await importRef(first.id));
    expect(after.row.updated_at).toBeGreaterThanOrEqual(before.row.updated_at);
    // Same values, same bytes (the identifier as the marker); the stored envelope already holds both sensitive values
    // (their keyed hashes match), so the write seals nothing new and keeps it, byte for byte.
    expect(Buffer.from(after.row.attributes as ArrayBuffer)).toEqual(Buffer.from(before.row.attributes as ArrayBuffer));
    expect(Buffer.from(after.row.hashes as ArrayBuffer)).toEqual(Buffer.from(before.row.hashes as ArrayBuffer));
    expect(Buffer.from(after.row.sealed as ArrayBuffer)).toEqual(Buffer.from(before.row.sealed as ArrayBuffer));
    expect(after.values.sealed).toHaveLength(1);
    expect([await opened(after.values, 'email'), await opened(after.values, 'mobile')]).toEqual(['ada@example.com', '+14155552671']);
    // One sensitive value changed: the whole member is sealed again, one envelope naming both fields in front.
    const changed = await importRows(COLUMNS, 'Customer', { audienceId: first.audienceId }, [['C-1', 'ada@example.com', '+14155552672', 'Paris']]);
    expect(changed.counts).toMatchObject({ updated: 1 });
    const resealed = await storedRow(first.audienceId, 'C-1');
    expect(resealed.values.sealed.map((e) => e.fields)).toEqual([['email', 'mobile']]);
    expect([...(resealed.values.sealed[0] as SealedEnvelope).bytes]).not.toEqual([...(before.values.sealed[0] as SealedEnvelope).bytes]);
    expect([await opened(resealed.values, 'email'), await opened(resealed.values, 'mobile')]).toEqual(['ada@example.com', '+14155552672']);
    expect((await undo(first.audienceId, changed.id)).undone).toEqual([expect.objectContaining({ importId: changed.id, restored: 1 })]);

    expect((await undo(first.audienceId, again.id)).undone).toEqual([expect.objectContaining({ importId: again.id, restored: 1 })]);
    expect(comparable((await storedRow(first.audienceId, 'C-1')).values)).toEqual(comparable(before.values));
  });

  it('touching one field of a two-field envelope keeps the old envelope behind the new one, and undo restores the exact old values', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-2', 'bo@example.com', '+14155550102', 'Oslo']]);
    const before = await storedRow(first.audienceId, 'C-2');
    const mobileOnly = COLUMNS.filter((c) => c.target !== 'email');
    const second = await importRows(mobileOnly, 'Customer', { audienceId: first.audienceId }, [['C-2', '+14155550199', 'Bergen']]);
    const { values } = await storedRow(first.audienceId, 'C-2');
    expect(values.attributes).toEqual({ customer_id: 'C-2', city: 'Bergen' });
    expect(values.sealed.map((e) => e.fields)).toEqual([['mobile'], ['email', 'mobile']]);
    expect(values.hashes).toEqual({ email: before.values.hashes.email, mobile: sensitiveKey(hasher, 'phone', '+14155550199').slice(0, 32) });
    expect([await opened(values, 'email'), await opened(values, 'mobile')]).toEqual(['bo@example.com', '+14155550199']);
    // The old envelope is copied as stored, byte for byte.
    expect([...(values.sealed[1] as SealedEnvelope).bytes]).toEqual([...(before.values.sealed[0] as SealedEnvelope).bytes]);

    await undo(first.audienceId, second.id);
    expect(comparable((await storedRow(first.audienceId, 'C-2')).values)).toEqual(comparable(before.values));
  });

  it('with a sensitive identifier (its hash stored as the marker) snapshots the hash written out, and undo restores it', async () => {
    const byEmail = COLUMNS.filter((c) => c.target !== 'customer_id');
    const first = await importRows(byEmail, 'E-mail', {}, [['cy@example.com', '+14155550103', 'Rome']]);
    const key = sensitiveKey(hasher, 'email', 'cy@example.com');
    const before = await storedRow(first.audienceId, key);
    expect(before.values.hashes.email).toBe(key);
    const second = await importRows(byEmail, 'E-mail', { audienceId: first.audienceId }, [['cy@example.com', '', 'Milan']]);
    const snapshot = await env.DB.prepare('SELECT attributes, hashes, sealed FROM member_snapshots WHERE import_id = ?').bind(second.id).first<StoredRow>();
    // Written out: under any key the snapshot decodes to the member as it was.
    const names = await fieldNamesByRef(env.DB, 'default');
    expect(comparable(decodeMemberColumns({ ...(snapshot as StoredRow), identifier_key: 'another key' }, names))).toEqual(comparable(before.values));
    const merged = await storedRow(first.audienceId, key);
    expect(merged.values.attributes).toEqual({ city: 'Milan' });
    expect(await opened(merged.values, 'mobile')).toBe('+14155550103');

    await undo(first.audienceId, second.id);
    expect(comparable((await storedRow(first.audienceId, key)).values)).toEqual(comparable(before.values));
  });

  it('into a member stored in JSON (0190) merges by name, writes it packed, and undo restores its values', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-3', 'di@example.com', '+14155550104', 'Lima']]);
    await membersBackToJson('default', first.audienceId);
    const before = await storedRow(first.audienceId, 'C-3');
    expect(before.row.types).toBe('text,text,text');
    const cityOnly = COLUMNS.filter((c) => c.target === 'customer_id' || c.target === 'city');
    const second = await importRows(cityOnly, 'Customer', { audienceId: first.audienceId }, [['C-3', 'Cusco']]);
    expect(second.counts).toMatchObject({ updated: 1 });
    const after = await storedRow(first.audienceId, 'C-3');
    expect(after.row.types).toBe('blob,blob,blob');
    expect(after.values.attributes).toEqual({ customer_id: 'C-3', city: 'Cusco' });
    expect([await opened(after.values, 'email'), await opened(after.values, 'mobile')]).toEqual(['di@example.com', '+14155550104']);

    await undo(first.audienceId, second.id);
    const restored = await storedRow(first.audienceId, 'C-3');
    expect(restored.values.attributes).toEqual(before.values.attributes);
    expect([await opened(restored.values, 'email'), await opened(restored.values, 'mobile')]).toEqual(['di@example.com', '+14155550104']);
  });

  it('twice by one import (two batches) snapshots the member once, as it was before the import', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-4', 'ed@example.com', '', 'Kyiv']]);
    const before = await storedRow(first.audienceId, 'C-4');
    const imp = await startImport(startBody(COLUMNS, 'Customer', { audienceId: first.audienceId }));
    const one = await sendBatch(imp.id, 0, rows(1, [['C-4', '', '', 'Lviv']]));
    const two = await sendBatch(imp.id, 1, rows(2, [['C-4', '', '+14155550105', 'Odesa']]));
    await ok('POST', `/api/imports/${imp.id}/finish`);
    expect([one.counts.updated, two.counts.duplicates]).toEqual([1, 1]);
    const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM member_snapshots WHERE import_id = ?').bind(imp.id).first<{ n: number }>()) as { n: number };
    expect(n).toBe(1);
    const merged = await storedRow(first.audienceId, 'C-4');
    expect(merged.values.attributes.city).toBe('Odesa');
    expect([await opened(merged.values, 'email'), await opened(merged.values, 'mobile')]).toEqual(['ed@example.com', '+14155550105']);
    await undo(first.audienceId, imp.id);
    expect(comparable((await storedRow(first.audienceId, 'C-4')).values)).toEqual(comparable(before.values));
  });

  it('copies a snapshot column sent as null from the member itself, found by id: no scan of the audience', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-5', 'fa@example.com', '', 'Bern']]);
    const before = await storedRow(first.audienceId, 'C-5');
    const refs = await fieldRefs(env.DB, 'default', []);
    const [statement] = snapshotMembersStatements(env.DB, 'default', first.id, [
      { id: before.row.id, key: 'C-5', packed: [null, null, null], updatedImportId: first.id, updatedAt: before.row.updated_at },
    ], refs);
    const { statement: sql, params } = statement as unknown as { statement: string; params: unknown[] };
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
    const details = results.map((r) => r.detail);
    expect(details.join(' / ')).toMatch(/SEARCH m USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(details.filter((d) => /\bSCAN m\b|SCAN member_records/.test(d))).toEqual([]);
    await env.DB.batch([statement as D1PreparedStatement]);
    const snapshot = await env.DB.prepare('SELECT attributes, hashes, sealed FROM member_snapshots WHERE import_id = ? AND member_id = ?').bind(first.id, before.row.id).first<StoredRow>();
    for (const c of ['attributes', 'hashes', 'sealed'] as const) expect(Buffer.from((snapshot as StoredRow)[c] as ArrayBuffer)).toEqual(Buffer.from(before.row[c] as ArrayBuffer));
    // Of a member that is not there (or not the workspace's), nothing is copied: the statement fails.
    const [missing] = snapshotMembersStatements(env.DB, 'default', first.id, [{ id: 1_000_000, key: 'x', packed: [null, null, null], updatedImportId: null, updatedAt: 0 }], refs);
    await expect(env.DB.batch([missing as D1PreparedStatement])).rejects.toThrow(/NOT NULL/);
  });
});
