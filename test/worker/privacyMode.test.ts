import { env } from 'cloudflare:test';
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toBase64url } from '../../shared/privacy/base64url.ts';
import { checkSensitiveCell } from '../../shared/privacy/checkSensitiveCell.ts';
import { type CellToSeal, sealBatchCells } from '../../shared/privacy/sealBatchCells.ts';
import { hashInput } from '../../shared/normalize/normalizeValue.ts';
import type { Audience } from '../../shared/schema/audiences.ts';
import type { FieldType } from '../../shared/schema/fields.ts';
import type { BatchResult, ImportSummary, PrivateBatchRow } from '../../shared/schema/imports.ts';
import type { BatchSealingHeader, PrivateCell, SealingCipher, WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import { nextMembers } from '../../worker/push/pushMembers.ts';
import { call, callAs, fetchAs, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { settings } from './sync/syncHelpers.ts';
import { fieldNamesByRef } from '../../worker/store/members.ts';
import { PackWriter, packedColumnsHex } from '../../worker/store/packedColumns.ts';
import { addServerEnvelope, keyedHashPrefix, openedFields, openSealed, packMembersInPlace, storedMembers, type StoredMember } from './support/storedMembers.ts';

const COLUMNS: Column[] = [
  { column: 'E-mail', target: 'email', sensitive: true },
  { column: 'Cell', target: 'mobile', sensitive: true },
  { column: 'Given name', target: 'first_name' },
];
const TYPES: (FieldType | null)[] = ['email', 'phone', null];

type ErrorBody = { error: { code: string; message: string; details?: unknown } };

const keyed = (sha256Hex: string) => createHmac('sha256', Buffer.from(env.HASH_KEY, 'base64')).update(sha256Hex).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * What the tab does in privacy mode: each sensitive cell checked and normalized with the shared rules, then all of
 * the batch's valid ones sealed in one call, ONE envelope per row (`{ h, c }` on the row's first sealed cell, `{ h }`
 * on the others); refused ones become RefusedCells; blank ones stay "". `shape: 'value'` seals each value in its own
 * envelope (every sealed cell `{ h, c }`), as tabs did before rows were sealed whole: such batches stay valid.
 */
async function sealRows(
  key: WorkspaceSealingKey,
  firstRow: number,
  table: string[][],
  cipher?: SealingCipher,
  shape: 'row' | 'value' = 'row',
): Promise<{ rows: PrivateBatchRow[]; sealing: BatchSealingHeader }> {
  const toSeal: CellToSeal[][] = [];
  const places: { r: number; i: number }[][] = [];
  const out: (string | PrivateCell)[][] = table.map((values, r) => {
    const row: CellToSeal[] = [];
    const at: { r: number; i: number }[] = [];
    const cells = values.map((raw, i) => {
      const type = TYPES[i];
      if (!type || raw.trim() === '') return raw;
      const verdict = checkSensitiveCell(raw, { type, defaultCountry: 'US' });
      if (!verdict.ok) return verdict.refused;
      row.push({ type, normalized: verdict.normalized });
      at.push({ r, i });
      return '';
    });
    if (shape === 'row' && row.length > 0) {
      toSeal.push(row);
      places.push(at);
    } else {
      row.forEach((c, k) => {
        toSeal.push([c]);
        places.push([at[k] as { r: number; i: number }]);
      });
    }
    return cells;
  });
  const { sealing, rows: sealed } = await sealBatchCells(key, toSeal, cipher);
  places.forEach((at, n) =>
    at.forEach(({ r, i }, k) => {
      const row = out[r];
      const cell = sealed[n]?.[k];
      if (row && cell) row[i] = cell;
    }),
  );
  return { rows: out.map((values, r) => ({ row: firstRow + r, values })), sealing };
}

const putPrivate = (importId: string, seq: number, body: { rows: PrivateBatchRow[]; sealing?: BatchSealingHeader }, idempotencyKey = `key-${importId}-${seq}`) =>
  call<BatchResult & ErrorBody>('PUT', `/api/imports/${importId}/batches/${seq}`, { seq, idempotencyKey, ...body });

async function everyTableText(): Promise<string> {
  const { results: tables } = await env.DB.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'`).all<{ name: string }>();
  let text = '';
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all();
    // BLOB columns (compact members) read as bytes: scanned as text too, so a plain value stored as bytes is found.
    text += JSON.stringify(results, (_key, value: unknown) =>
      value instanceof ArrayBuffer ? new TextDecoder().decode(value) : Array.isArray(value) && value.every((b) => typeof b === 'number') ? new TextDecoder().decode(new Uint8Array(value as number[])) : value,
    );
  }
  return text.toLowerCase();
}

const membersOf = (audienceId: string) => storedMembers(audienceId);

describe('the workspace sealing key', () => {
  it('is made once on first use, readable by every role, its private half never stored in clear', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    expect(key).toMatchObject({ keyId: expect.stringMatching(/^wk_/), publicKey: { kty: 'EC', crv: 'P-256' } });
    expect(await ok<WorkspaceSealingKey>('GET', '/api/privacy/key')).toEqual(key);
    const viewer = await callAs<WorkspaceSealingKey>('viewer', 'GET', '/api/privacy/key');
    expect(viewer).toEqual({ status: 200, body: key });
    const stored = await env.DB.prepare('SELECT public_jwk, private_sealed FROM workspace_sealing_keys WHERE key_id = ?').bind(key.keyId).first<{ public_jwk: string; private_sealed: string }>();
    expect(JSON.parse(stored?.public_jwk ?? '{}')).toEqual(key.publicKey);
    expect(stored?.private_sealed).not.toMatch(/"d"|kty|P-256/);
  });
});

describe('a privacy-mode import', () => {
  it('stores no plaintext anywhere, keys members exactly like a server-sealed import, and updates on re-import', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const table = [
      [' Priv.Ada@Example.com', '(415) 555-0101', 'Ada'],
      ['PRIV.ADA@example.COM', '', 'Adeline'],
      ['priv.bob@example.org', '+1 415 555 0102', ''],
    ];
    const imp = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    expect(imp).toMatchObject({ privacyMode: true, sealedColumns: ['E-mail', 'Cell'] });
    const audience = await ok<Audience>('GET', `/api/audiences/${imp.audienceId}`);
    expect(audience.privacyMode).toBe(true);
    const sealedBatch = await sealRows(key, 1, table);
    const result = await putPrivate(imp.id, 0, sealedBatch);
    expect(result.status).toBe(200);
    expect(result.body.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });

    // The same file imported the usual way (plain values, sealed by the Worker) into another audience.
    const plain = await startImport(startBody(COLUMNS, 'E-mail'));
    await sendBatch(plain.id, 0, rows(1, table));
    const [privateMembers, plainMembers] = [await membersOf(imp.audienceId), await membersOf(plain.audienceId)];
    expect(privateMembers.map((m) => [m.identifier_key, m.hashes, m.attributes])).toEqual(plainMembers.map((m) => [m.identifier_key, m.hashes, m.attributes]));
    expect(privateMembers[0]?.identifier_key).toBe(keyed(sha256('priv.ada@example.com')));
    // One private envelope per row, naming the row's sealed fields and its batch key row (the workspace's number of that batch in base 36). Ada's
    // second row carried only the email: its envelope is newer and names email alone; the first row's still holds
    // her mobile, behind it. Bob's one row: one envelope for both.
    const batchKeyId = expect.stringMatching(/^[0-9a-z]{1,4}$/);
    expect(privateMembers.map((m) => m.envelopes.map((e) => [e.kind, e.fields, e.kind === 'private' ? e.batchKeyId : null]))).toEqual([
      [
        ['private', ['email'], batchKeyId],
        ['private', ['email', 'mobile'], batchKeyId],
      ],
      [['private', ['email', 'mobile'], batchKeyId]],
    ]);
    expect(sealedBatch.rows[0]?.values.slice(0, 2).map((c) => Object.keys(c as object))).toEqual([['h', 'c'], ['h']]);
    await plainCleanup(plain.audienceId);

    const everything = await everyTableText();
    // The scan does see members' values: the plain column is there.
    expect(everything).toContain('adeline');
    for (const secret of ['priv.ada@example.com', 'priv.bob@example.org', '4155550101', '4155550102', '555-0101', sha256('priv.ada@example.com'), sha256('+14155550101')]) {
      expect(everything).not.toContain(secret);
    }
    // One ephemeral key row for the batch, in the members' transaction, not one per value.
    const keyRows = await env.DB.prepare('SELECT ephemeral_key FROM sealed_batch_keys WHERE import_id = ?').bind(imp.id).all<{ ephemeral_key: string }>();
    expect(keyRows.results).toEqual([{ ephemeral_key: sealedBatch.sealing.ephemeralKey }]);

    // A retry is answered from the stored result; nothing is written twice.
    const retry = await putPrivate(imp.id, 0, sealedBatch);
    expect(retry.body).toMatchObject({ replayed: true, counts: result.body.counts });
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM sealed_batch_keys WHERE import_id = ?').bind(imp.id).first<{ n: number }>())?.n).toBe(1);

    // The Worker opens what the tab sealed, with the workspace's private key: the normalized values.
    const sealedAda = privateMembers[0]?.sealed ?? {};
    expect(await openSealed([sealedAda.email, sealedAda.mobile].map((r) => r ?? expect.fail('a sealed field is missing')))).toEqual(['priv.ada@example.com', '+14155550101']);

    // A later import of the same person into the audience is in privacy mode too and updates the member; its Cell
    // column, left plain in its mapping, is sensitive in the audience, so the summary tells the tab to seal it.
    const cellPlain = COLUMNS.map((c) => (c.column === 'Cell' ? { ...c, sensitive: false } : c));
    const again = await startImport({ ...startBody(cellPlain, 'E-mail', { audienceId: imp.audienceId }) });
    expect(again).toMatchObject({ privacyMode: true, sealedColumns: ['E-mail', 'Cell'] });
    const second = await putPrivate(again.id, 0, await sealRows(key, 1, [['priv.ada@example.com', '415 555 0109', 'Ada L.']]));
    expect(second.body.counts).toEqual({ received: 1, inserted: 0, updated: 1, duplicates: 0, rejected: 0, skipped: 0 });
    expect((await ok<Audience>('GET', `/api/audiences/${imp.audienceId}`)).memberCount).toBe(2);
    const ada = (await membersOf(imp.audienceId))[0];
    expect(ada?.hashes).toMatchObject({ mobile: keyedHashPrefix(ada ?? expect.fail('no member'), keyed(sha256('+14155550109'))) });
    expect(await openSealed([ada?.sealed.mobile ?? expect.fail('mobile is not sealed')])).toEqual(['+14155550109']);

    // The export opens both batches' values: SHA-256 of each hash input, as for any audience.
    const csv = await (await fetchExport(imp.audienceId)).text();
    expect(csv).toContain(sha256(hashInput('email', 'priv.ada@example.com')));
    expect(csv).toContain(sha256('+14155550109'));
    expect(csv).toContain(sha256('+14155550102'));

    // A push to a CRM opens the fields an admin allowed, from both batches, as for a server-sealed audience.
    const pushed = await nextMembers(env, 'default', imp.audienceId, { conditions: [], params: [] }, 0, 10, ['email', 'mobile']);
    expect(pushed.map((m) => [m.label, m.values])).toEqual([
      ['••••••', { first_name: 'Ada L.', email: 'priv.ada@example.com', mobile: '+14155550109' }],
      ['••••••', { email: 'priv.bob@example.org', mobile: '+14155550102' }],
    ]);

    // The same members in the packed form (private envelopes as bytes, naming their batch key rows): the export and
    // the push open them alike.
    const csvBefore = await (await fetchExport(imp.audienceId)).text();
    await packMembersInPlace(imp.audienceId);
    expect((await membersOf(imp.audienceId)).map((m) => [m.packed, m.envelopes.map((e) => [e.kind, e.fields])])).toEqual([
      [true, [['private', ['email', 'mobile']]]],
      [true, [['private', ['email', 'mobile']]]],
    ]);
    expect(await (await fetchExport(imp.audienceId)).text()).toBe(csvBefore);
    // The plaintext scan reads BLOB columns too: the plain first name is found inside the packed bytes, no secret is.
    const packedText = await everyTableText();
    expect(packedText).toContain('adeline');
    for (const secret of ['priv.ada@example.com', 'priv.bob@example.org', '4155550101', '4155550102', '4155550109']) expect(packedText).not.toContain(secret);
    // One member holding both kinds: an older server envelope naming first_name and mobile beside the private one.
    // mobile reads from the newer private envelope, first_name from the server one (its first field); each opens.
    const [adaPacked] = await membersOf(imp.audienceId);
    await addServerEnvelope(adaPacked?.id ?? expect.fail('no member'), { first_name: 'Ada L.', mobile: '+10000000000' }, 'last');
    expect((await membersOf(imp.audienceId))[0]?.envelopes.map((e) => [e.kind, e.fields])).toEqual([
      ['private', ['email', 'mobile']],
      ['server', ['first_name', 'mobile']],
    ]);
    expect(await (await fetchExport(imp.audienceId)).text()).toBe(csvBefore);
    const mixed = await nextMembers(env, 'default', imp.audienceId, { conditions: [], params: [] }, 0, 1, ['email', 'mobile', 'first_name']);
    expect(mixed.map((m) => m.values)).toEqual([{ first_name: 'Ada L.', email: 'priv.ada@example.com', mobile: '+14155550109' }]);
    expect((await nextMembers(env, 'default', imp.audienceId, { conditions: [], params: [] }, 0, 10, ['email', 'mobile'])).map((m) => [m.label, m.values])).toEqual(
      pushed.map((m) => [m.label, m.values]),
    );
  });

  it('takes batches of either cipher alike: ChaCha20-Poly1305 and AES-256-GCM (here a header without cipher, as tabs sent before the choice)', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const table = [
      ['Ciph.Ada@Example.com', '(415) 555-0111', 'Ada'],
      ['ciph.ada@example.com', '', 'Adeline'],
      ['ciph.bob@example.org', '+1 415 555 0112', 'Bob'],
    ];
    const chacha = await sealRows(key, 1, table, 'chacha20-poly1305');
    expect(chacha.sealing.cipher).toBe('chacha20-poly1305');
    const aes = await sealRows(key, 1, table, 'aes-256-gcm');
    const { cipher: _, ...legacyHeader } = aes.sealing;
    const imports = [];
    for (const body of [chacha, { rows: aes.rows, sealing: legacyHeader }]) {
      const imp = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
      const result = await putPrivate(imp.id, 0, body);
      expect(result.body.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });
      imports.push(imp);
    }
    const [viaChaCha, viaAes] = imports as [ImportSummary, ImportSummary];
    // Each batch key row says its batch's cipher; the legacy header's is the old default.
    const cipherOf = async (importId: string) => (await env.DB.prepare('SELECT cipher FROM sealed_batch_keys WHERE import_id = ?').bind(importId).first<{ cipher: string }>())?.cipher;
    expect(await cipherOf(viaChaCha.id)).toBe('chacha20-poly1305');
    expect(await cipherOf(viaAes.id)).toBe('aes-256-gcm');
    // Same keys, hashes and attributes (dedupe alike), the same values opened, the same export and push.
    const [a, b] = [await membersOf(viaChaCha.audienceId), await membersOf(viaAes.audienceId)];
    expect(a.map((m) => [m.identifier_key, m.hashes, m.attributes])).toEqual(b.map((m) => [m.identifier_key, m.hashes, m.attributes]));
    const sealedValues = (members: StoredMember[]) => members.flatMap((m) => Object.values(m.sealed));
    expect(await openSealed([...sealedValues(a), ...sealedValues(b)])).toEqual([
      'ciph.ada@example.com', '+14155550111', 'ciph.bob@example.org', '+14155550112',
      'ciph.ada@example.com', '+14155550111', 'ciph.bob@example.org', '+14155550112',
    ]);
    const exported = async (audienceId: string) => (await (await fetchExport(audienceId)).text()).split('\n').slice(1).join('\n');
    expect(await exported(viaChaCha.audienceId)).toBe(await exported(viaAes.audienceId));
    expect(await exported(viaChaCha.audienceId)).toContain(sha256('+14155550112'));
    const push = (audienceId: string) => nextMembers(env, 'default', audienceId, { conditions: [], params: [] }, 0, 10, ['email', 'mobile']).then((ms) => ms.map((m) => m.values));
    expect(await push(viaChaCha.audienceId)).toEqual(await push(viaAes.audienceId));
    expect(await push(viaAes.audienceId)).toEqual([
      { first_name: 'Adeline', email: 'ciph.ada@example.com', mobile: '+14155550111' },
      { first_name: 'Bob', email: 'ciph.bob@example.org', mobile: '+14155550112' },
    ]);

    // A header naming the other cipher derives another key: the values are stored (the Worker cannot tell) but never
    // open, and the export says so instead of answering with something else.
    const mislabelled = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    const wrong = await sealRows(key, 1, [['ciph.eve@example.com', '', 'Eve']], 'chacha20-poly1305');
    expect((await putPrivate(mislabelled.id, 0, { rows: wrong.rows, sealing: { ...wrong.sealing, cipher: 'aes-256-gcm' } })).status).toBe(200);
    const res = await fetchExport(mislabelled.audienceId);
    expect(res.status).toBe(500);
    expect(((await res.json()) as ErrorBody).error.code).toBe('sealed_value_unreadable');
    for (const imp of [viaChaCha, viaAes, mislabelled]) await ok('DELETE', `/api/audiences/${imp.audienceId}`);
  });

  it('takes batches sealed value by value (every cell its own envelope) alike: same keys, hashes and values as rows sealed whole', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const table = [
      ['Shape.Ada@Example.com', '(415) 555-0121', 'Ada'],
      ['shape.bob@example.org', '', 'Bob'],
      ['shape.ada@example.com', '', 'Adeline'],
    ];
    const audiences: string[] = [];
    for (const shape of ['value', 'row'] as const) {
      const imp = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
      const body = await sealRows(key, 1, table, undefined, shape);
      expect(body.rows[0]?.values.slice(0, 2).map((c) => Object.keys(c as object))).toEqual(shape === 'row' ? [['h', 'c'], ['h']] : [['h', 'c'], ['h', 'c']]);
      const result = await putPrivate(imp.id, 0, body);
      expect(result.body.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });
      audiences.push(imp.audienceId);
    }
    const [byValue, byRow] = [await membersOf(audiences[0] ?? ''), await membersOf(audiences[1] ?? '')];
    expect(byValue.map((m) => [m.identifier_key, m.hashes, m.attributes])).toEqual(byRow.map((m) => [m.identifier_key, m.hashes, m.attributes]));
    // Ada's rows 1 and 3 merged: row 3's email envelope replaces row 1's; row 1's mobile keeps its own (by value), or
    // stays in row 1's envelope behind row 3's (by row).
    expect(byValue[0]?.envelopes.map((e) => e.fields)).toEqual([['email'], ['mobile']]);
    expect(byRow[0]?.envelopes.map((e) => e.fields)).toEqual([['email'], ['email', 'mobile']]);
    const opened = async (members: StoredMember[]) => Promise.all(members.map((m) => openedFields(m)));
    expect(await opened(byValue)).toEqual(await opened(byRow));
    expect(await opened(byRow)).toEqual([
      { email: 'shape.ada@example.com', mobile: '+14155550121' },
      { email: 'shape.bob@example.org' },
    ]);
    for (const id of audiences) await ok('DELETE', `/api/audiences/${id}`);
  });

  it("names each batch's key row by the workspace's next number in base 36, one number per batch even when two imports seal at once", async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const before = await env.DB.prepare(`SELECT coalesce(max(ordinal), 0) AS n FROM sealed_batch_keys WHERE workspace_id = 'default'`).first<{ n: number }>();
    const a = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    const b = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    const batch = (first: number, prefix: string) => sealRows(key, first, [[`${prefix}.${first}@example.com`, '(415) 555-0199', prefix]]);
    expect((await putPrivate(a.id, 0, await batch(1, 'ord-a'))).status).toBe(200);
    // Both read the same next number before either commits, or not: either way each batch ends with its own.
    const [a1, b0] = await Promise.all([putPrivate(a.id, 1, await batch(2, 'ord-a')), putPrivate(b.id, 0, await batch(1, 'ord-b'))]);
    expect([a1.status, b0.status]).toEqual([200, 200]);
    const { results } = await env.DB.prepare(
      `SELECT id, ordinal, import_id, seq FROM sealed_batch_keys WHERE workspace_id = 'default' AND import_id IN (?, ?) ORDER BY ordinal`,
    )
      .bind(a.id, b.id)
      .all<{ id: string; ordinal: number; import_id: string; seq: number }>();
    const start = before?.n ?? 0;
    expect(results.map((r) => r.ordinal)).toEqual([start + 1, start + 2, start + 3]);
    for (const r of results) expect(r.id).toBe(r.ordinal.toString(36));
    // Each member's envelope names its batch's short id, and opens.
    for (const imp of [a, b]) {
      const members = await membersOf(imp.audienceId);
      const ids = results.filter((r) => r.import_id === imp.id).map((r) => r.id);
      for (const m of members) {
        const envelope = m.envelopes[0];
        expect(envelope?.kind === 'private' ? ids.includes(envelope.batchKeyId) : false).toBe(true);
        expect(await openedFields(m)).toEqual({ email: expect.stringMatching(/^ord-[ab]\.\d@example\.com$/), mobile: '+14155550199' });
      }
    }
    for (const imp of [a, b]) await ok('DELETE', `/api/audiences/${imp.audienceId}`);
  });

  it('keeps the fields a later import does not carry readable from the earlier row envelope, through export, push and undo', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const first = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    await putPrivate(first.id, 0, await sealRows(key, 1, [['part.ada@example.com', '(415) 555-0131', 'Ada']]));
    await ok('POST', `/api/imports/${first.id}/finish`);
    const [before] = await membersOf(first.audienceId);
    // A later import of Ada with her email only (its Cell blank): a new envelope naming email, the first still holding mobile.
    const second = await startImport(startBody(COLUMNS, 'E-mail', { audienceId: first.audienceId }));
    const put = await putPrivate(second.id, 0, await sealRows(key, 1, [['PART.ADA@example.com', '', 'Ada L.']]));
    expect(put.body.counts).toMatchObject({ updated: 1 });
    await ok('POST', `/api/imports/${second.id}/finish`);
    const [ada] = await membersOf(first.audienceId);
    expect(ada?.envelopes.map((e) => [e.kind, e.fields])).toEqual([
      ['private', ['email']],
      ['private', ['email', 'mobile']],
    ]);
    expect(ada?.sealed.mobile?.envelope).toBe(ada?.envelopes[1]);
    expect(ada?.hashes).toEqual(before?.hashes);
    expect(await openedFields(ada ?? expect.fail('no member'))).toEqual({ email: 'part.ada@example.com', mobile: '+14155550131' });
    const csv = await (await fetchExport(first.audienceId)).text();
    expect(csv).toContain(sha256('+14155550131'));
    const pushed = await nextMembers(env, 'default', first.audienceId, { conditions: [], params: [] }, 0, 10, ['email', 'mobile']);
    expect(pushed.map((m) => m.values)).toEqual([{ first_name: 'Ada L.', email: 'part.ada@example.com', mobile: '+14155550131' }]);
    // Undo of the later import puts back the member as the first left it: its one row envelope.
    await ok('POST', `/api/audiences/${first.audienceId}/imports/${second.id}/undo`, { chain: false });
    const [undone] = await membersOf(first.audienceId);
    expect(undone?.envelopes.map((e) => [e.kind, e.fields])).toEqual([['private', ['email', 'mobile']]]);
    expect(undone?.attributes).toEqual({ first_name: 'Ada' });
    expect(await openedFields(undone ?? expect.fail('no member'))).toEqual({ email: 'part.ada@example.com', mobile: '+14155550131' });
    await ok('DELETE', `/api/audiences/${first.audienceId}`);
  });

  it('reports a cell the tab refused as a row error, with its code, message and masked hint', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const imp = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    const result = await putPrivate(imp.id, 0, await sealRows(key, 1, [['refused.example.com', '415 555 0103', 'Rita'], ['ok.rita@example.com', '', '']]));
    expect(result.body.counts).toMatchObject({ inserted: 1, rejected: 1 });
    expect(result.body.errors).toEqual([{ row: 1, column: 'E-mail', code: 'invalid_email', message: 'Not a valid email address (missing @).', value: 'missing @' }]);
  });

  it('refuses batches that contradict the mode, naming row and column, and an unknown key', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const imp = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    const sealed = await sealRows(key, 1, [['mode.ada@example.com', '', 'Ada']]);

    const plainValues = await putPrivate(imp.id, 0, { rows: [...sealed.rows, { row: 2, values: ['mode.bob@example.com', '', 'Bob'] }], sealing: sealed.sealing });
    expect(plainValues.status).toBe(422);
    expect(plainValues.body.error).toMatchObject({ code: 'privacy_mode', details: { row: 2, column: 'E-mail' } });
    expect(plainValues.body.error.message).toMatch(/batch claims privacy mode with plain values: row 2, column "E-mail"/);
    expect(plainValues.body.error.message).not.toContain('mode.bob');

    const noSealing = await putPrivate(imp.id, 0, { rows: rows(1, [['mode.ada@example.com', '', 'Ada']]) });
    expect(noSealing.status).toBe(422);
    const unknownKey = await putPrivate(imp.id, 0, { rows: sealed.rows, sealing: { ...sealed.sealing, keyId: 'wk_not_ours' } });
    expect(unknownKey.status).toBe(422);
    expect(unknownKey.body.error.message).toMatch(/wk_not_ours/);
    const notAPoint = await putPrivate(imp.id, 0, { rows: sealed.rows, sealing: { ...sealed.sealing, ephemeralKey: `BA${'A'.repeat(85)}` } });
    expect(notAPoint.status).toBe(422);
    expect(notAPoint.body.error.message).toMatch(/not a P-256 public key/);
    const badShape = await putPrivate(imp.id, 0, { rows: [{ row: 1, values: [{ h: 'not-a-digest', c: 'x' } as unknown as PrivateCell, '', 'Ada'] }], sealing: sealed.sealing });
    expect(badShape.status).toBe(400);
    // A value sealed along with an envelope, with none before it in its row.
    const orphan = await putPrivate(imp.id, 0, { rows: [...sealed.rows, { row: 3, values: ['', { h: sha256('+14155550100') }, 'Ada'] }], sealing: sealed.sealing });
    expect(orphan.status).toBe(422);
    expect(orphan.body.error).toMatchObject({ code: 'privacy_mode', details: { row: 3, column: 'Cell' } });
    expect(orphan.body.error.message).toMatch(/row 3, column "Cell" .* no cell before it in the row carries an envelope/);

    const plainImport = await startImport(startBody(COLUMNS, 'E-mail'));
    const sealedInPlain = await putPrivate(plainImport.id, 0, { rows: sealed.rows });
    expect(sealedInPlain.status).toBe(422);
    expect(sealedInPlain.body.error.message).toMatch(/plain batch with sealed cells: row 1, column "E-mail"/);
    const sealingOnPlain = await putPrivate(plainImport.id, 0, { rows: rows(1, [['mode.ada@example.com', '', 'Ada']]), sealing: sealed.sealing });
    expect(sealingOnPlain.status).toBe(422);
    // Nothing refused was stored; the import goes on at batch 0.
    expect((await ok<ImportSummary>('GET', `/api/imports/${imp.id}`)).nextSeq).toBe(0);
    expect((await putPrivate(imp.id, 0, sealed)).status).toBe(200);
  });

  it('detects a tampered envelope when opening, and the export names the member and field', async () => {
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const imp = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    // Sealed value by value, as members stored in 0190's text form were (one `pk1.` text a field).
    await putPrivate(imp.id, 0, await sealRows(key, 1, [['tamper.ada@example.com', '415 555 0104', 'Ada']], undefined, 'value'));
    const [member] = await membersOf(imp.audienceId);
    // Written back through the view in 0190's text form (`pk1.<batch key id>.<c>`), mobile's envelope altered.
    const sealed: Record<string, string> = {};
    for (const [field, { envelope }] of Object.entries(member?.sealed ?? {})) {
      if (envelope.kind !== 'private') throw new Error('a private audience holds private envelopes');
      const bytes = envelope.bytes.slice();
      if (field === 'mobile') bytes[20] = (bytes[20] ?? 0) ^ 1;
      sealed[field] = `pk1.${envelope.batchKeyId}.${toBase64url(bytes)}`;
    }
    await env.DB.prepare('UPDATE members SET sealed = ? WHERE id = ?').bind(JSON.stringify(sealed), member?.id).run();

    const res = await fetchExport(imp.audienceId);
    expect(res.status).toBe(500);
    const body = (await res.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'sealed_value_unreadable', details: { memberId: String(member?.id), field: 'mobile' } });
    expect(body.error.message).not.toContain('tamper.ada');

    // A row's envelope (packed, naming email and mobile) altered: neither field opens; the export names the member
    // and the envelope's first field.
    const whole = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
    await putPrivate(whole.id, 0, await sealRows(key, 1, [['tamper.bea@example.com', '415 555 0105', 'Bea']]));
    const [bea] = await membersOf(whole.audienceId);
    const envelope = bea?.envelopes[0] ?? expect.fail('no envelope');
    expect(envelope.fields).toEqual(['email', 'mobile']);
    expect(await openedFields(bea ?? expect.fail('no member'))).toEqual({ email: 'tamper.bea@example.com', mobile: '+14155550105' });
    const bytes = envelope.bytes.slice();
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    const refs = new Map([...(await fieldNamesByRef(env.DB, 'default'))].map(([ref, name]) => [name, ref]));
    const [, , sealedHex] = packedColumnsHex(new PackWriter(), { attributes: {}, hashes: {}, sealed: [{ ...envelope, bytes }] }, refs, bea?.identifier_key ?? '');
    await env.DB.prepare('UPDATE member_records SET sealed = unhex(?1) WHERE id = ?2').bind(sealedHex, bea?.id).run();
    const altered = await fetchExport(whole.audienceId);
    expect(altered.status).toBe(500);
    expect(((await altered.json()) as ErrorBody).error).toMatchObject({ code: 'sealed_value_unreadable', details: { memberId: String(bea?.id), field: 'email' } });
    await ok('DELETE', `/api/audiences/${whole.audienceId}`);

    // Deleting the audience takes its batches' ephemeral keys along.
    const keyRows = () => env.DB.prepare('SELECT COUNT(*) AS n FROM sealed_batch_keys WHERE import_id = ?').bind(imp.id).first<{ n: number }>();
    expect((await keyRows())?.n).toBe(1);
    await ok('DELETE', `/api/audiences/${imp.audienceId}`);
    expect((await keyRows())?.n).toBe(0);
  });
});

describe('privacy mode of an audience', () => {
  it('refuses a CRM import, a sync or a dry run (plain rows) into a private audience', async () => {
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Private list', privacyMode: true });
    expect(audience.privacyMode).toBe(true);
    const crm = await call<ErrorBody>('POST', '/api/imports', {
      ...startBody(COLUMNS, 'E-mail', { audienceId: audience.id }),
      source: { kind: 'salesforce', connectionId: 'any', object: 'Contact', headers: COLUMNS.map((c) => c.column) },
    });
    expect(crm.status).toBe(422);
    expect(crm.body.error).toMatchObject({ code: 'privacy_mode', message: expect.stringMatching(/A CRM source cannot be private/) });
    const newPrivate = await call<ErrorBody>('POST', '/api/imports', {
      ...startBody(COLUMNS, 'E-mail'),
      privacyMode: true,
      source: { kind: 'dynamics', connectionId: 'any', object: 'contact', headers: COLUMNS.map((c) => c.column) },
    });
    expect(newPrivate.status).toBe(422);
    const dryRun = await call<ErrorBody>('POST', '/api/audiences/dry-runs', { audienceId: audience.id, source: startBody(COLUMNS, 'E-mail').source, mapping: startBody(COLUMNS, 'E-mail').mapping });
    expect(dryRun.status).toBe(422);
    expect(dryRun.body.error.message).toMatch(/dry run/);
    const sync = await call<ErrorBody>('POST', '/api/syncs', { connectionId: 'any', audienceId: audience.id, settings: settings(), consent: { doubleOptIn: true, confirmedBy: 'me' } });
    expect(sync.status).toBe(422);
    expect(sync.body.error.code).toBe('privacy_mode');
  });

  it('changes only while the audience is empty', async () => {
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Switchable' });
    expect(audience.privacyMode).toBe(false);
    expect((await ok<Audience>('PATCH', `/api/audiences/${audience.id}`, { name: 'Switchable', privacyMode: true })).privacyMode).toBe(true);
    expect((await ok<Audience>('PATCH', `/api/audiences/${audience.id}`, { name: 'Switchable', privacyMode: false })).privacyMode).toBe(false);
    const imp = await startImport(startBody(COLUMNS, 'E-mail', { audienceId: audience.id }));
    await sendBatch(imp.id, 0, rows(1, [['switch.ada@example.com', '', 'Ada']]));
    await ok('POST', `/api/imports/${imp.id}/finish`);
    const refused = await call<ErrorBody>('PATCH', `/api/audiences/${audience.id}`, { name: 'Renamed', privacyMode: true });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/already holds 1 member/);
    expect((await ok<Audience>('GET', `/api/audiences/${audience.id}`)).name).toBe('Switchable');
    const viaImport = await call<ErrorBody>('POST', '/api/imports', { ...startBody(COLUMNS, 'E-mail', { audienceId: audience.id }), privacyMode: true });
    expect(viaImport.status).toBe(422);
  });
});

const fetchExport = (audienceId: string): Promise<Response> => fetchAs('admin', `/api/audiences/${audienceId}/export.csv`);

/** The comparison audience held the same values plain-sealed by the Worker: gone before the plaintext scan. */
async function plainCleanup(audienceId: string): Promise<void> {
  await ok('DELETE', `/api/audiences/${audienceId}`);
}
