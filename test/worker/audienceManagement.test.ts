import { env } from 'cloudflare:test';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Audience, DeletedAudience, DryRun, MemberPage } from '../../shared/schema/audiences.ts';
import type { BatchRow, ImportCounts } from '../../shared/schema/imports.ts';
import { call, fetchAs, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';

const sha256 = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');

const SENSITIVE: Column[] = [
  { column: 'Email', target: 'email', sensitive: true },
  { column: 'Phone', target: 'mobile', sensitive: true },
  { column: 'First', target: 'first_name', sensitive: true },
  { column: 'City', target: 'city' },
  { column: 'Zip', target: 'postal_code' },
];

async function audienceWith(columns: Column[], identifier: string, values: string[][]) {
  const imp = await startImport(startBody(columns, identifier));
  await sendBatch(imp.id, 0, rows(1, values));
  await ok('POST', `/api/imports/${imp.id}/finish`);
  return imp;
}

async function text(path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetchAs('admin', path);
  // Decoded keeping the byte-order mark (res.text() and a default TextDecoder drop it), so the test sees what Excel sees.
  const bytes = new Uint8Array(await res.arrayBuffer());
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? '\ufeff' : '';
  const body = bom + new TextDecoder('utf-8').decode(bytes);
  return { status: res.status, body, type: res.headers.get('content-type') };
}

describe('dry run', () => {
  it('counts what the real import then does, per reason, without writing a member', async () => {
    const columns: Column[] = [
      { column: 'Email', target: 'email' },
      { column: 'City', target: 'city' },
    ];
    const existing = await audienceWith(columns, 'Email', [
      ['a@x.io', 'Paris'],
      ['b@x.io', 'Rome'],
    ]);
    const batches: BatchRow[][] = [
      rows(1, [['a@x.io', 'Lyon'], ['new@x.io', 'Oslo'], ['not-an-email', 'Bern'], ['', 'Nice'], ['', '']]),
      [...rows(6, [['new@x.io', 'Kiel'], ['b@x.io', ''], ['c@x.io', 'Graz']]), { row: 9, values: ['d@x.io'], fieldCount: 1 }],
    ];
    const body = startBody(columns, 'Email', { audienceId: existing.audienceId });
    const before = await ok<Audience>('GET', `/api/audiences/${existing.audienceId}`);

    let dry = await ok<DryRun>('POST', '/api/audiences/dry-runs', { audienceId: existing.audienceId, source: body.source, mapping: body.mapping });
    for (const [seq, batch] of batches.entries()) dry = await ok<DryRun>('PUT', `/api/audiences/dry-runs/${dry.id}/batches/${seq}`, { seq, rows: batch });
    expect(await ok<Audience>('GET', `/api/audiences/${existing.audienceId}`)).toEqual(before);
    // The same batch again is not counted twice.
    expect((await call('PUT', `/api/audiences/dry-runs/${dry.id}/batches/1`, { seq: 1, rows: batches[1] })).status).toBe(409);

    const real = await startImport(body);
    const totals: ImportCounts = { received: 0, inserted: 0, updated: 0, duplicates: 0, rejected: 0, skipped: 0 };
    for (const [seq, batch] of batches.entries()) {
      const { counts } = await sendBatch(real.id, seq, batch);
      for (const k of Object.keys(totals) as (keyof ImportCounts)[]) totals[k] += counts[k];
    }
    expect(dry.counts).toEqual({
      received: totals.received,
      inserted: totals.inserted,
      updated: totals.updated,
      merged: totals.duplicates,
      rejected: totals.rejected,
      skipped: totals.skipped,
    });
    expect(dry.counts).toEqual({ received: 9, inserted: 2, updated: 2, merged: 1, rejected: 3, skipped: 1 });
    expect(dry.rejectedBy).toEqual({ invalid_email: 1, empty_identifier: 1, ragged_row: 1 });
  });

  it('rejects matches per reason when the import would', async () => {
    const columns: Column[] = [{ column: 'Email', target: 'email' }];
    const existing = await audienceWith(columns, 'Email', [['a@x.io']]);
    const body = startBody(columns, 'Email', { audienceId: existing.audienceId, onMatch: 'reject' });
    const dry = await ok<DryRun>('POST', '/api/audiences/dry-runs', { audienceId: existing.audienceId, source: body.source, mapping: body.mapping });
    const done = await ok<DryRun>('PUT', `/api/audiences/dry-runs/${dry.id}/batches/0`, { seq: 0, rows: rows(1, [['a@x.io'], ['b@x.io']]) });
    expect(done.counts).toMatchObject({ inserted: 1, rejected: 1 });
    expect(done.rejectedBy).toEqual({ identifier_exists: 1 });
  });
});

describe('audience actions', () => {
  it('renames', async () => {
    const imp = await audienceWith([{ column: 'Email', target: 'email' }], 'Email', [['a@x.io']]);
    const renamed = await ok<Audience>('PATCH', `/api/audiences/${imp.audienceId}`, { name: ' Spring leads ' });
    expect(renamed.name).toBe('Spring leads');
    expect((await call('PATCH', `/api/audiences/${imp.audienceId}`, { name: '' })).status).toBe(400);
  });

  it('deletes an audience with its members, imports, errors, batches and snapshots', async () => {
    const columns: Column[] = [{ column: 'Email', target: 'email' }];
    const imp = await audienceWith(columns, 'Email', [['a@x.io'], ['bad'], ['b@x.io']]);
    const second = await startImport(startBody(columns, 'Email', { audienceId: imp.audienceId }));
    await sendBatch(second.id, 0, rows(1, [['a@x.io']]));
    const keep = await audienceWith(columns, 'Email', [['k@x.io']]);

    const deleted = await ok<DeletedAudience>('DELETE', `/api/audiences/${imp.audienceId}`);
    expect(deleted).toEqual({ id: imp.audienceId, members: 2, imports: 2 });
    expect((await call('GET', `/api/audiences/${imp.audienceId}`)).status).toBe(404);
    for (const [table, column] of [
      ['members', 'audience_id'],
      ['imports', 'audience_id'],
    ] as const) {
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).bind(imp.audienceId).first<{ n: number }>();
      expect(row?.n).toBe(0);
    }
    for (const table of ['import_errors', 'import_batches', 'member_snapshots']) {
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE import_id IN (?, ?)`).bind(imp.id, second.id).first<{ n: number }>();
      expect(row?.n, table).toBe(0);
    }
    expect((await ok<Audience>('GET', `/api/audiences/${keep.audienceId}`)).memberCount).toBe(1);
  });

  it('deletes one member and the count follows', async () => {
    const imp = await audienceWith([{ column: 'Email', target: 'email' }], 'Email', [['a@x.io'], ['b@x.io']]);
    const page = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members`);
    const target = page.members.find((m) => m.identifier === 'a@x.io');
    const after = await ok<Audience>('DELETE', `/api/audiences/${imp.audienceId}/members/${target?.id}`);
    expect(after.memberCount).toBe(1);
    expect((await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members`)).members.map((m) => m.identifier)).toEqual(['b@x.io']);
    expect((await call('DELETE', `/api/audiences/${imp.audienceId}/members/${target?.id}`)).status).toBe(404);
  });
});

describe('find a member', () => {
  it('finds a sensitive identifier through its hash as typed, never returning it', async () => {
    const imp = await audienceWith(SENSITIVE, 'Email', [
      ['Ada@Example.com', '', 'Ada', 'Paris', '75001'],
      ['bob@example.com', '', 'Bob', 'Rome', '00100'],
    ]);
    const found = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members?identifier=${encodeURIComponent('  ADA@example.COM ')}`);
    expect(found.filtered).toBe(true);
    expect(found.members.map((m) => m.attributes.city)).toEqual(['Paris']);
    expect(JSON.stringify(found).toLowerCase()).not.toContain('ada@example.com');
    const none = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members?identifier=nobody@example.com`);
    expect(none.members).toEqual([]);
  });

  it('filters on a non-sensitive field', async () => {
    const imp = await audienceWith(SENSITIVE, 'Email', [
      ['a@x.io', '', '', 'Paris', ''],
      ['b@x.io', '', '', 'Rome', ''],
      ['c@x.io', '', '', 'Paris', ''],
    ]);
    const paris = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members?field=city&value=Paris`);
    expect(paris.members).toHaveLength(2);
    expect((await call('GET', `/api/audiences/${imp.audienceId}/members?field=city`)).status).toBe(400);
  });
});

describe('masked values', () => {
  it('keep a hint of what is wrong without the value', async () => {
    const imp = await startImport(startBody(SENSITIVE, 'Email'));
    const { errors } = await sendBatch(imp.id, 0, rows(1, [['eva-at-example.com', '', '', 'Oslo', '']]));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/\(missing @\)\.$/);
    expect(JSON.stringify(errors)).not.toContain('eva');
  });
});

describe('export', () => {
  const values = [
    ['Ada@Example.com', '+1 415 555 2671', 'Ada', 'x;=cmd|\' /C calc\'!A0', '75001'],
    ['bob@example.com', '', 'Bob', 'Rome', '00100'],
  ];

  it('writes plain values and SHA-256 of sensitive ones, no plaintext sensitive value, formula-safe', async () => {
    const imp = await audienceWith(SENSITIVE, 'Email', values);
    const csv = await text(`/api/audiences/${imp.audienceId}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    expect(csv.body.startsWith('\ufeff')).toBe(true);
    const lines = csv.body.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Email (SHA-256),Mobile phone (SHA-256),First name (SHA-256),City,Postal code');
    expect(lines[1]).toBe(`${sha256('ada@example.com')},${sha256('+14155552671')},${sha256('ada')},"x;'=cmd|' /C calc'!A0",75001`);
    for (const plain of ['ada@example.com', 'Ada@Example.com', 'bob@example.com', '4155552671', ',Ada,', ',Bob,']) expect(csv.body).not.toContain(plain);
  });

  it('writes the Google Customer Match upload format', async () => {
    const imp = await audienceWith(SENSITIVE, 'Email', values);
    const csv = await text(`/api/audiences/${imp.audienceId}/export.csv?format=customer_match`);
    const lines = csv.body.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Email,Phone,First Name,Last Name,Country,Zip');
    expect(lines[2]).toBe(`${sha256('bob@example.com')},,${sha256('bob')},,,00100`);
    expect(csv.body.toLowerCase()).not.toContain('bob@example.com');
  });
});
