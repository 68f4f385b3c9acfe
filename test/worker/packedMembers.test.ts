import { env } from 'cloudflare:test';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64url } from '../../shared/privacy/base64url.ts';
import { sealBatchCells } from '../../shared/privacy/sealBatchCells.ts';
import type { BatchBody, BatchResult } from '../../shared/schema/imports.ts';
import type { SealedAlongCell, SealedCell, WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import { createAesGcm, readAesKey } from '../../worker/crypto/aesGcm.ts';
import { createBatchSealer } from '../../worker/crypto/batchSealer.ts';
import { keyedHasherFor } from '../../worker/crypto/keyedHash.ts';
import { sensitiveKey } from '../../worker/crypto/sensitiveKey.ts';
import { ingestBatch } from '../../worker/imports/ingestBatch.ts';
import { changedRowsGuardStatement, fieldNamesByRef, fieldRefs, mergeMembersStatements, rewriteMembersStatements } from '../../worker/store/members.ts';
import {
  decodeMemberColumns,
  envelopeValues,
  sealedRefOf,
  type MemberValues,
  type SealedEnvelope,
  type SealedRef,
  type StoredColumn,
} from '../../worker/store/packedColumns.ts';
import { call, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { openSealed, storedRow } from './support/storedMembers.ts';

const COLUMNS: Column[] = [
  { column: 'Customer', target: 'customer_id' },
  { column: 'E-mail', target: 'email', sensitive: true },
  { column: 'Cell', target: 'mobile', sensitive: true },
  { column: 'City', target: 'city' },
];

const seal = await createBatchSealer(readAesKey(env.ENCRYPTION_KEY));
const hasher = await keyedHasherFor(env.HASH_KEY);
const aesKey = await crypto.subtle.importKey('raw', new Uint8Array(readAesKey(env.ENCRYPTION_KEY)), 'AES-GCM', false, ['decrypt']);
const keyedEmail = (email: string) => sensitiveKey(hasher, 'email', email);
const keyedPhone = (phone: string) => sensitiveKey(hasher, 'phone', phone);



/** A server envelope's values, decrypted here with ENCRYPTION_KEY (independently of the Worker's opener). */
async function openServer(envelope: SealedEnvelope): Promise<string[]> {
  expect(envelope.kind).toBe('server');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: envelope.bytes.subarray(0, 12) }, aesKey, envelope.bytes.subarray(12));
  return envelopeValues(new Uint8Array(plain), envelope.fields.length);
}

async function openedField(values: MemberValues, field: string): Promise<string | undefined> {
  const ref = sealedRefOf(values.sealed, field);
  return ref ? (await openServer(ref.envelope))[ref.index] : undefined;
}

async function importRows(columns: Column[], identifier: string, audience: { audienceId?: string }, values: string[][]) {
  const imp = await startImport(startBody(columns, identifier, audience));
  await sendBatch(imp.id, 0, rows(1, values));
  await ok('POST', `/api/imports/${imp.id}/finish`);
  return imp;
}

const importRefOf = async (importId: string) => (await env.DB.prepare('SELECT ref FROM imports WHERE id = ?').bind(importId).first<{ ref: number }>())?.ref;

describe("D1's SQLite for the packed write", () => {
  it('stores unhex of an empty text as an empty BLOB, not NULL', async () => {
    const row = await env.DB.prepare("SELECT typeof(unhex('')) AS type, length(unhex('')) AS n").first<{ type: string; n: number }>();
    expect(row).toEqual({ type: 'blob', n: 0 });
  });

  it("runs a batch's statements in order on one connection: changes() in a statement is the previous statement's count", async () => {
    await env.DB.batch([
      env.DB.prepare('CREATE TABLE changes_check (k INTEGER)'),
      env.DB.prepare('INSERT INTO changes_check VALUES (1), (2), (3)'),
    ]);
    const results = await env.DB.batch([
      env.DB.prepare('UPDATE changes_check SET k = k + 10 WHERE k >= 2'),
      env.DB.prepare('SELECT changes() AS n'),
      env.DB.prepare('UPDATE changes_check SET k = k + 100 WHERE k = 1'),
      changedRowsGuardStatement(env.DB, 1),
    ]);
    expect(results[1]?.results).toEqual([{ n: 2 }]);
    // Two rows changed, three expected: the guard's NOT NULL aborts the whole transaction, the UPDATE included.
    await expect(
      env.DB.batch([env.DB.prepare('UPDATE changes_check SET k = k + 1000 WHERE k BETWEEN 11 AND 20'), changedRowsGuardStatement(env.DB, 3)]),
    ).rejects.toThrow(/NOT NULL constraint failed: member_write_guards/);
    const { results: left } = await env.DB.prepare('SELECT k FROM changes_check ORDER BY k').all<{ k: number }>();
    expect(left.map((r) => r.k)).toEqual([12, 13, 101]);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM member_write_guards').first<{ n: number }>())?.n).toBe(0);
  });
});

describe('a written member', () => {
  it('is stored as BLOBs that decode to what was imported, its sensitive values in ONE server envelope', async () => {
    const imp = await importRows(COLUMNS, 'Customer', {}, [['C-1', 'Ada@Example.com', '(415) 555-2671', 'Paris']]);
    const { row, values } = await storedRow(imp.audienceId, 'C-1');
    expect(row.types).toBe('blob,blob,blob');
    expect(values.attributes).toEqual({ customer_id: 'C-1', city: 'Paris' });
    // Keyed hashes are kept to their first 128 bits.
    expect(values.hashes).toEqual({ email: keyedEmail('ada@example.com').slice(0, 32), mobile: keyedPhone('+14155552671').slice(0, 32) });
    expect(values.sealed).toHaveLength(1);
    const [envelope] = values.sealed as [SealedEnvelope];
    expect(envelope.fields).toEqual(['email', 'mobile']);
    expect(await openServer(envelope)).toEqual(['ada@example.com', '+14155552671']);
    // Nothing of the plain values is in the stored bytes.
    const bytes = Buffer.concat([row.attributes, row.hashes, row.sealed].map((c) => Buffer.from(c as ArrayBuffer))).toString('latin1');
    for (const plain of ['ada@example.com', '4155552671']) expect(bytes).not.toContain(plain);
  });

  it('is merged in the Worker onto a packed member: written values win, absent ones kept, the new envelope first', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-1', 'ada@example.com', '+14155552671', 'Paris']]);
    const emailOnly = COLUMNS.filter((c) => c.target !== 'mobile' && c.target !== 'city');
    const second = await importRows(emailOnly, 'Customer', { audienceId: first.audienceId }, [['C-1', 'ada@new.example']]);
    const { row, values } = await storedRow(first.audienceId, 'C-1');
    expect(row.types).toBe('blob,blob,blob');
    expect(values.attributes).toEqual({ customer_id: 'C-1', city: 'Paris' });
    expect(values.hashes).toEqual({ email: keyedEmail('ada@new.example').slice(0, 32), mobile: keyedPhone('+14155552671').slice(0, 32) });
    // The email-only envelope first; the first import's is kept behind it for the mobile it alone holds.
    expect(values.sealed.map((e) => e.fields)).toEqual([['email'], ['email', 'mobile']]);
    expect(await openedField(values, 'email')).toBe('ada@new.example');
    expect(await openedField(values, 'mobile')).toBe('+14155552671');
    // The product's opener (export, push) reads the same: the new email, the old mobile.
    const refs = ['email', 'mobile'].map((f) => sealedRefOf(values.sealed, f) as SealedRef);
    expect(await openSealed(refs)).toEqual(['ada@new.example', '+14155552671']);
    expect([row.updated_import, row.previous_import]).toEqual([await importRefOf(second.id), await importRefOf(first.id)]);

    // A third write of both drops the two older envelopes (each field now in the newer one).
    await importRows(COLUMNS, 'Customer', { audienceId: first.audienceId }, [['C-1', 'ada@third.example', '+14155550000', '']]);
    const third = await storedRow(first.audienceId, 'C-1');
    expect(third.values.sealed.map((e) => e.fields)).toEqual([['email', 'mobile']]);
    expect(await openServer(third.values.sealed[0] as SealedEnvelope)).toEqual(['ada@third.example', '+14155550000']);
    expect(third.values.attributes.city).toBe('Paris');
  });

  it('is merged onto a member stored in the JSON form of migration 0190, which becomes packed', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-2', 'bea@example.com', '+14155552672', 'Rome']]);
    // As a member was stored before packed columns: numbered JSON, full keyed hashes, one base64 ciphertext a value.
    const refs = await fieldRefs(env.DB, 'default', ['customer_id', 'email', 'mobile', 'city'], { fresh: true });
    const ref = (name: string) => refs.get(name) as number;
    const aes = createAesGcm(readAesKey(env.ENCRYPTION_KEY));
    await env.DB.prepare(
      `UPDATE member_records SET attributes = ?1, hashes = ?2, sealed = ?3
       WHERE identifier_key = 'C-2' AND audience_ref = (SELECT ref FROM audiences WHERE id = ?4)`,
    )
      .bind(
        JSON.stringify({ [ref('customer_id')]: 0, [ref('city')]: 'Rome' }),
        JSON.stringify({ [ref('email')]: keyedEmail('bea@example.com'), [ref('mobile')]: keyedPhone('+14155552672') }),
        JSON.stringify({ [ref('email')]: aes.seal('bea@example.com'), [ref('mobile')]: aes.seal('+14155552672') }),
        first.audienceId,
      )
      .run();
    expect((await storedRow(first.audienceId, 'C-2')).row.types).toBe('text,text,text');

    const cityOnly = COLUMNS.filter((c) => c.target !== 'email' && c.target !== 'mobile');
    await importRows(cityOnly, 'Customer', { audienceId: first.audienceId }, [['C-2', 'Milan']]);
    const { row, values } = await storedRow(first.audienceId, 'C-2');
    expect(row.types).toBe('blob,blob,blob');
    expect(values.attributes).toEqual({ customer_id: 'C-2', city: 'Milan' });
    expect(values.hashes).toEqual({ email: keyedEmail('bea@example.com').slice(0, 32), mobile: keyedPhone('+14155552672').slice(0, 32) });
    // The JSON form's per-value ciphertexts carried over as one-field envelopes, byte for byte.
    expect(values.sealed.map((e) => e.fields)).toEqual([['email'], ['mobile']]);
    expect(await openedField(values, 'email')).toBe('bea@example.com');
    expect(await openedField(values, 'mobile')).toBe('+14155552672');
  });
});

describe('a batch of existing members', () => {
  it('reads their stored columns one row a member: no value near D1\'s 2 MB limit, however large the batch', async () => {
    const columns: Column[] = [
      { column: 'Customer', target: 'customer_id' },
      { column: 'Notes', target: 'description' },
    ];
    const note = (i: number, round: number) => `${round}:${String(i).padStart(4, '0')} ${'é'.repeat(300)}`;
    const table = (round: number) => Array.from({ length: 3_000 }, (_, i) => [`K-${i}`, note(i, round)]);
    const first = await startImport(startBody(columns, 'Customer', { batchSize: 5_000 }));
    await sendBatch(first.id, 0, rows(1, table(1)));
    await ok('POST', `/api/imports/${first.id}/finish`);
    // As one JSON value, these members' columns in hex would be ≈ 3.7 MB.
    const again = await startImport(startBody(columns, 'Customer', { audienceId: first.audienceId, batchSize: 5_000 }));
    const result = await sendBatch(again.id, 0, rows(1, table(2)));
    expect(result.counts).toMatchObject({ received: 3_000, updated: 3_000, inserted: 0 });
    expect((await storedRow(first.audienceId, 'K-2999')).values.attributes.description).toBe(note(2999, 2));
  });
});

describe('a merge racing another writer', () => {
  /**
   * The real local D1, running `before` once just before the first batch() that writes members (statements > 3), and
   * counting those batches in `writes`.
   */
  function dbCommittingFirst(before: () => Promise<unknown>, writes: { n: number }): D1Database {
    let pending: (() => Promise<unknown>) | null = before;
    return new Proxy(env.DB, {
      get(target, prop) {
        if (prop === 'batch') {
          return async (statements: D1PreparedStatement[]) => {
            if (statements.length > 3) writes.n++;
            const hook = statements.length > 3 ? pending : null;
            if (hook) {
              pending = null;
              await hook();
            }
            return target.batch(statements);
          };
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
  const ctx = (db: D1Database, importId: string) => ({ db, seal, hasher, workspaceId: 'default', importId, now: () => new Date().toISOString() });
  const batch = (values: string[][]): BatchBody => ({ seq: 0, idempotencyKey: crypto.randomUUID(), rows: rows(1, values) });

  it('loses neither write: the stale merge aborts, the batch is classified again and merges onto the newer member', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-3', 'cy@example.com', '+14155552673', 'Oslo']]);
    const cityOnly = COLUMNS.filter((c) => c.target !== 'email' && c.target !== 'mobile');
    const mobileOnly = COLUMNS.filter((c) => c.target !== 'email' && c.target !== 'city');
    const a = await startImport(startBody(cityOnly, 'Customer', { audienceId: first.audienceId }));
    const b = await startImport(startBody(mobileOnly, 'Customer', { audienceId: first.audienceId }));
    // a reads the member, then b merges into it and commits, then a writes: a's stamp is stale.
    const writes = { n: 0 };
    const racing = dbCommittingFirst(() => ingestBatch(ctx(env.DB, b.id), batch([['C-3', '+14155550003']])), writes);
    const result = await ingestBatch(ctx(racing, a.id), batch([['C-3', 'Bergen']]));
    expect(result.counts).toMatchObject({ received: 1, updated: 1, inserted: 0 });
    // The first write was refused by the guard, the second (after reading b's write) committed.
    expect(writes.n).toBe(2);
    const { row, values } = await storedRow(first.audienceId, 'C-3');
    expect(values.attributes.city).toBe('Bergen');
    expect(await openedField(values, 'mobile')).toBe('+14155550003');
    expect(await openedField(values, 'email')).toBe('cy@example.com');
    // a wrote last, after b: its previous writer is b.
    expect([row.updated_import, row.previous_import]).toEqual([await importRefOf(a.id), await importRefOf(b.id)]);
  });

  it('does not write back a plain value that sealing in place sealed between its read and its write', async () => {
    const plain: Column[] = [
      { column: 'Customer', target: 'customer_id' },
      { column: 'E-mail', target: 'email' },
      { column: 'City', target: 'city' },
    ];
    const first = await importRows(plain, 'Customer', {}, [['C-5', 'fay@example.com', 'Tunis']]);
    const a = await startImport(startBody(plain.filter((c) => c.target !== 'email'), 'Customer', { audienceId: first.audienceId }));
    const writes = { n: 0 };
    // Between a's read and its write, another import starts with the email sensitive: the stored email is sealed.
    const sealing = () => startImport(startBody(plain.map((c) => (c.target === 'email' ? { ...c, sensitive: true } : c)), 'Customer', { audienceId: first.audienceId }));
    await ingestBatch(ctx(dbCommittingFirst(sealing, writes), a.id), batch([['C-5', 'Sfax']]));
    expect(writes.n).toBe(2);
    const { values } = await storedRow(first.audienceId, 'C-5');
    expect(values.attributes).toEqual({ customer_id: 'C-5', city: 'Sfax' });
    expect(await openedField(values, 'email')).toBe('fay@example.com');
  });

  it('finds each merged or rewritten member by its id, driven by the JSON parameter: no scan of the audience', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-6', '', '', 'Riga']]);
    const member = await storedRow(first.audienceId, 'C-6');
    const refs = await fieldRefs(env.DB, 'default', ['customer_id', 'city']);
    const now = new Date().toISOString();
    const [merge] = mergeMembersStatements(env.DB, 'default', first.audienceId, first.id, now, [
      { id: member.row.id, key: 'C-6', values: member.values, updatedAt: member.row.updated_at, updatedImport: member.row.updated_import },
    ], refs);
    const [rewrite] = rewriteMembersStatements(env.DB, 'default', first.audienceId, [{ id: member.row.id, key: 'C-6', values: member.values, updatedAt: member.row.updated_at }], refs);
    for (const statement of [merge, rewrite]) {
      // The statement's SQL and parameters, explained: D1PreparedStatement keeps them as `statement` and `params`.
      const { statement: sql, params } = statement as unknown as { statement: string; params: unknown[] };
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...params).all<{ detail: string }>();
      const details = results.map((r) => r.detail);
      expect(details).toContain('SEARCH member_records USING INTEGER PRIMARY KEY (rowid=?)');
      expect(details.filter((d) => /\bSCAN member_records\b|member_records USING (COVERING )?INDEX member_records_by_audience/.test(d))).toEqual([]);
    }
  });

  it('refuses a merge statement whose stamp is stale, changing nothing', async () => {
    const first = await importRows(COLUMNS, 'Customer', {}, [['C-4', '', '', 'Kyiv']]);
    const before = await storedRow(first.audienceId, 'C-4');
    const refs = await fieldRefs(env.DB, 'default', ['customer_id', 'city']);
    const merge = (updatedAt: number) =>
      mergeMembersStatements(env.DB, 'default', first.audienceId, first.id, new Date().toISOString(), [
        { id: before.row.id, key: 'C-4', values: { ...before.values, attributes: { ...before.values.attributes, city: 'Lviv' } }, updatedAt, updatedImport: before.row.updated_import },
      ], refs);
    await expect(env.DB.batch(merge(before.row.updated_at - 1))).rejects.toThrow(/NOT NULL constraint failed: member_write_guards/);
    expect((await storedRow(first.audienceId, 'C-4')).values).toEqual(before.values);
    await env.DB.batch(merge(before.row.updated_at));
    expect((await storedRow(first.audienceId, 'C-4')).values.attributes.city).toBe('Lviv');
  });
});

describe('snapshots and undo', () => {
  it('restore the member as read before the import, whatever re-keyed it in between', async () => {
    const plainEmail: Column[] = [
      { column: 'E-mail', target: 'email' },
      { column: 'City', target: 'city' },
    ];
    const first = await importRows(plainEmail, 'E-mail', {}, [['dee@example.com', 'Porto']]);
    const before = await storedRow(first.audienceId, 'dee@example.com');
    const second = await importRows(plainEmail, 'E-mail', { audienceId: first.audienceId }, [['dee@example.com', 'Faro']]);
    const snapshot = await env.DB.prepare('SELECT typeof(attributes) AS type, attributes, hashes, sealed FROM member_snapshots WHERE import_id = ?')
      .bind(second.id)
      .first<{ type: string; attributes: ArrayBuffer; hashes: ArrayBuffer; sealed: ArrayBuffer }>();
    expect(snapshot?.type).toBe('blob');
    // Written out, not stored as "the member's key": decoded under any key it gives the same values.
    const names = await fieldNamesByRef(env.DB, 'default');
    expect(decodeMemberColumns({ identifier_key: 'another key', ...(snapshot as NonNullable<typeof snapshot>) }, names).attributes).toEqual(before.values.attributes);

    // A third import makes the email sensitive: sealing in place re-keys the member by its keyed hash.
    const sensitiveEmail: Column[] = [{ ...(plainEmail[0] as Column), sensitive: true }, plainEmail[1] as Column];
    await startImport(startBody(sensitiveEmail, 'E-mail', { audienceId: first.audienceId }));
    const rekeyed = await storedRow(first.audienceId, keyedEmail('dee@example.com'));
    expect(rekeyed.values.attributes).toEqual({ city: 'Faro' });
    expect(await openedField(rekeyed.values, 'email')).toBe('dee@example.com');

    const undo = await ok<{ undone: { importId: string; restored: number }[] }>('POST', `/api/audiences/${first.audienceId}/imports/${second.id}/undo`, { chain: false });
    expect(undo.undone).toEqual([expect.objectContaining({ importId: second.id, restored: 1 })]);
    const after = await storedRow(first.audienceId, keyedEmail('dee@example.com'));
    expect(after.values).toEqual(before.values);
  });
});

describe('a privacy-mode member', () => {
  it('holds each sealed row as one private envelope naming its fields (the tab\'s bytes, its batch key named), and a server envelope for a field sealed later', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const columns: Column[] = [
      { column: 'E-mail', target: 'email', sensitive: true },
      { column: 'Cell', target: 'mobile', sensitive: true },
      { column: 'City', target: 'city' },
    ];
    const imp = await startImport({ ...startBody(columns, 'E-mail'), privacyMode: true });
    // The row sealed whole, as the tab seals it: one envelope for both values, on the row's first sealed cell.
    const { sealing, rows } = await sealBatchCells(key, [
      [
        { type: 'email', normalized: 'eve@example.com' },
        { type: 'phone', normalized: '+14155550105' },
      ],
    ]);
    const [email, mobile] = rows[0] as [SealedCell, SealedAlongCell];
    const put = await call<BatchResult>('PUT', `/api/imports/${imp.id}/batches/0`, { seq: 0, idempotencyKey: crypto.randomUUID(), rows: [{ row: 1, values: [email, mobile, 'Quito'] }], sealing });
    expect(put.status).toBe(200);
    await ok('POST', `/api/imports/${imp.id}/finish`);
    const batchKey = await env.DB.prepare('SELECT id FROM sealed_batch_keys WHERE import_id = ?').bind(imp.id).first<{ id: string }>();
    const memberKey = sensitiveKey(hasher, 'email', 'eve@example.com');
    const { row, values } = await storedRow(imp.audienceId, memberKey);
    expect(row.types).toBe('blob,blob,blob');
    expect(values.attributes).toEqual({ city: 'Quito' });
    expect(values.sealed).toEqual([{ kind: 'private', fields: ['email', 'mobile'], batchKeyId: batchKey?.id, bytes: fromBase64url(email.c) }]);
    // The Worker's opener opens the row's envelope once and splits it into both fields.
    expect(await openSealed(['email', 'mobile'].map((f) => sealedRefOf(values.sealed, f) as SealedRef))).toEqual(['eve@example.com', '+14155550105']);

    // A later import makes the city sensitive: the Worker seals the stored plain city itself (a server envelope, first).
    await startImport({ ...startBody(columns.map((c) => (c.target === 'city' ? { ...c, sensitive: true } : c)), 'E-mail', { audienceId: imp.audienceId }) });
    const later = await storedRow(imp.audienceId, memberKey);
    expect(later.values.attributes).toEqual({});
    expect(later.values.sealed.map((e) => [e.kind, e.fields])).toEqual([
      ['server', ['city']],
      ['private', ['email', 'mobile']],
    ]);
    expect(await openSealed(['email', 'mobile'].map((f) => sealedRefOf(later.values.sealed, f) as SealedRef))).toEqual(['eve@example.com', '+14155550105']);
    expect(await openedField(later.values, 'city')).toBe('Quito');
    expect(later.values.hashes.city).toBe(sensitiveKey(hasher, 'text', 'Quito').slice(0, 32));
  });
});
