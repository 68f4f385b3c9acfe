import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ImportReport, ImportSummary } from '../../shared/schema/imports.ts';
import type { MemberPage } from '../../shared/schema/audiences.ts';
import { call, fetchAs, ok, putBatch, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'First name', target: 'first_name' },
  { column: 'City', target: 'city' },
];

type Err = { error: { code: string; message: string; details?: { nextSeq?: number } } };

async function members(audienceId: string) {
  const page = await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=500`);
  return Object.fromEntries(page.members.map((m) => [m.identifier, m.attributes]));
}

describe('deduplication', () => {
  it('merges repeats of an identifier within a file, in one batch and across batches; later non-empty values win', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    const first = await sendBatch(
      imp.id,
      0,
      rows(1, [
        ['ada@example.com', 'Ada', ''],
        ['ADA@example.com ', '', 'London'],
        ['bob@example.com', 'Bob', 'Paris'],
      ]),
    );
    expect(first.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 1, rejected: 0, skipped: 0 });
    const second = await sendBatch(
      imp.id,
      1,
      rows(4, [
        ['bob@example.com', 'Robert', ''],
        ['cy@example.com', 'Cy', 'Rome'],
        ['bob@example.com', '', 'Lyon'],
      ]),
    );
    expect(second.counts).toEqual({ received: 3, inserted: 1, updated: 0, duplicates: 2, rejected: 0, skipped: 0 });

    const summary = await ok<ImportSummary>('GET', `/api/imports/${imp.id}`);
    expect(summary.counts).toEqual({ received: 6, inserted: 3, updated: 0, duplicates: 3, rejected: 0, skipped: 0 });
    expect(await members(imp.audienceId)).toEqual({
      'ada@example.com': { email: 'ada@example.com', first_name: 'Ada', city: 'London' },
      'bob@example.com': { email: 'bob@example.com', first_name: 'Robert', city: 'Lyon' },
      'cy@example.com': { email: 'cy@example.com', first_name: 'Cy', city: 'Rome' },
    });
    expect((await ok<{ memberCount: number }>('GET', `/api/audiences/${imp.audienceId}`)).memberCount).toBe(3);
  });

  it('updates members of an earlier import when onMatch is update', async () => {
    const earlier = await startImport(startBody(COLUMNS, 'Email'));
    await sendBatch(earlier.id, 0, rows(1, [['ada@example.com', 'Ada', 'London'], ['bob@example.com', 'Bob', '']]));
    await ok('POST', `/api/imports/${earlier.id}/finish`);

    const later = await startImport(startBody(COLUMNS, 'Email', { audienceId: earlier.audienceId, onMatch: 'update' }));
    const result = await sendBatch(
      later.id,
      0,
      rows(1, [['ada@example.com', '', 'Leeds'], ['new@example.com', 'New', ''], ['ada@example.com', 'Augusta', '']]),
    );
    expect(result.counts).toEqual({ received: 3, inserted: 1, updated: 1, duplicates: 1, rejected: 0, skipped: 0 });
    // A repeat in a later batch of this import is a duplicate, not a second update.
    const again = await sendBatch(later.id, 1, rows(4, [['ada@example.com', 'Ada', '']]));
    expect(again.counts).toMatchObject({ updated: 0, duplicates: 1 });
    expect(await members(earlier.audienceId)).toEqual({
      'ada@example.com': { email: 'ada@example.com', first_name: 'Ada', city: 'Leeds' },
      'bob@example.com': { email: 'bob@example.com', first_name: 'Bob' },
      'new@example.com': { email: 'new@example.com', first_name: 'New' },
    });
    expect((await ok<{ memberCount: number }>('GET', `/api/audiences/${earlier.audienceId}`)).memberCount).toBe(3);
  });

  it('rejects rows matching members of an earlier import when onMatch is reject, and leaves those members alone', async () => {
    const earlier = await startImport(startBody(COLUMNS, 'Email'));
    await sendBatch(earlier.id, 0, rows(1, [['ada@example.com', 'Ada', 'London']]));

    const later = await startImport(startBody(COLUMNS, 'Email', { audienceId: earlier.audienceId, onMatch: 'reject' }));
    const result = await sendBatch(later.id, 0, rows(1, [['new@example.com', 'New', ''], ['Ada@Example.com', 'Eve', 'Oslo'], ['new@example.com', '', 'Bergen']]));
    expect(result.counts).toEqual({ received: 3, inserted: 1, updated: 0, duplicates: 1, rejected: 1, skipped: 0 });
    expect(result.errors).toEqual([
      { row: 2, column: 'Email', code: 'identifier_exists', message: expect.stringContaining('already in the audience'), value: 'ada@example.com' },
    ]);
    expect(await members(earlier.audienceId)).toEqual({
      'ada@example.com': { email: 'ada@example.com', first_name: 'Ada', city: 'London' },
      'new@example.com': { email: 'new@example.com', first_name: 'New', city: 'Bergen' },
    });
  });
});

describe('idempotency and resume', () => {
  it('answers a retried batch from the stored result and applies it once', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    const batch = rows(1, [['ada@example.com', 'Ada', ''], ['nope', 'X', ''], ['ada@example.com', 'A', '']]);
    const first = await sendBatch(imp.id, 0, batch, 'retry-key-0');
    const retry = await sendBatch(imp.id, 0, batch, 'retry-key-0');
    expect(retry).toEqual({ ...first, replayed: true });
    expect(first.replayed).toBe(false);
    expect(first.errors).toHaveLength(1);

    const summary = await ok<ImportSummary>('GET', `/api/imports/${imp.id}`);
    expect(summary.nextSeq).toBe(1);
    expect(summary.counts).toEqual(first.counts);
    const stored = await env.DB.prepare('SELECT count(*) AS n FROM members WHERE audience_id = ?').bind(imp.audienceId).first<{ n: number }>();
    expect(stored?.n).toBe(1);
    const report = await ok<ImportReport>('GET', `/api/imports/${imp.id}/report`);
    expect(report.totalErrors).toBe(1);
  });

  it('refuses the same seq with another key, a gap in seqs, and batches after finish', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    await sendBatch(imp.id, 0, rows(1, [['ada@example.com', '', '']]), 'first-key-0');

    const otherKey = await putBatch(imp.id, 0, rows(1, [['eve@example.com', '', '']]), 'other-key-0');
    expect(otherKey.status).toBe(409);
    expect((otherKey.body as unknown as Err).error.code).toBe('conflict');

    const gap = await putBatch(imp.id, 2, rows(3, [['eve@example.com', '', '']]));
    expect(gap.status).toBe(409);
    expect((gap.body as unknown as Err).error).toMatchObject({ code: 'batch_out_of_order', details: { nextSeq: 1 } });

    await ok('POST', `/api/imports/${imp.id}/finish`);
    const closed = await putBatch(imp.id, 1, rows(2, [['eve@example.com', '', '']]));
    expect(closed.status).toBe(409);
    expect((closed.body as unknown as Err).error.code).toBe('import_closed');
    // A late retry of an applied batch still gets its answer.
    expect((await putBatch(imp.id, 0, rows(1, [['ada@example.com', '', '']]), 'first-key-0')).body).toMatchObject({ replayed: true });
    expect((await ok<ImportSummary>('GET', `/api/imports/${imp.id}`)).counts.received).toBe(1);
  });

  it('applies concurrent copies of one batch exactly once', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    const batch = rows(1, Array.from({ length: 300 }, (_, i) => [`p${i}@example.com`, `P${i}`, '']));
    const answers = await Promise.all([0, 1, 2, 3].map(() => putBatch(imp.id, 0, batch, 'same-key-0')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.filter((a) => !a.body.replayed)).toHaveLength(1);
    for (const a of answers) expect(a.body.counts).toEqual({ received: 300, inserted: 300, updated: 0, duplicates: 0, rejected: 0, skipped: 0 });
    const summary = await ok<ImportSummary>('GET', `/api/imports/${imp.id}`);
    expect(summary.counts.inserted).toBe(300);
    expect((await ok<{ memberCount: number }>('GET', `/api/audiences/${imp.audienceId}`)).memberCount).toBe(300);
  });

  it('resumes an interrupted import at nextSeq with exact counts', async () => {
    // 10 rows with 2 repeats and 1 invalid email, sent in batches of 3 rows.
    const all = rows(
      1,
      [
        ['a@example.com', 'A', ''],
        ['b@example.com', 'B', ''],
        ['not-an-email', 'X', ''],
        ['c@example.com', 'C', ''],
        ['a@example.com', 'A2', ''],
        ['d@example.com', 'D', ''],
        ['', '', ''],
        ['e@example.com', 'E', ''],
        ['b@example.com', '', 'Turin'],
        ['f@example.com', 'F', ''],
      ],
    );
    const batches = [all.slice(0, 3), all.slice(3, 6), all.slice(6, 9), all.slice(9)];
    const imp = await startImport(startBody(COLUMNS, 'Email', { batchSize: 3 }));
    await sendBatch(imp.id, 0, batches[0] ?? []);
    await sendBatch(imp.id, 1, batches[1] ?? []);
    // The tab dies while batch 2 is in flight: the Worker applied it, the client never heard back.
    await sendBatch(imp.id, 2, batches[2] ?? []);

    const resumed = await ok<ImportSummary>('GET', `/api/imports/${imp.id}`);
    expect(resumed.nextSeq).toBe(3);
    for (let seq = resumed.nextSeq; seq < batches.length; seq++) await sendBatch(imp.id, seq, batches[seq] ?? [], `after-reload-${seq}`);
    const done = await ok<ImportSummary>('POST', `/api/imports/${imp.id}/finish`);
    expect(done.counts).toEqual({ received: 10, inserted: 6, updated: 0, duplicates: 2, rejected: 1, skipped: 1 });
    expect((await ok<{ memberCount: number }>('GET', `/api/audiences/${imp.audienceId}`)).memberCount).toBe(6);
  });

  it('rejects a row with an over-long cell, not the whole batch', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    const result = await sendBatch(imp.id, 0, rows(1, [['a@example.com', 'x'.repeat(10_001), ''], ['b@example.com', 'B', '']]));
    expect(result.counts).toMatchObject({ inserted: 1, rejected: 1 });
    expect(result.errors).toEqual([expect.objectContaining({ row: 1, column: 'First name', code: 'invalid_value' })]);
  });

  it('rejects a batch whose body seq disagrees with the URL, naming the field', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    const res = await call<{ error: { code: string; details: { path: string[] }[] } }>('PUT', `/api/imports/${imp.id}/batches/0`, {
      seq: 1,
      idempotencyKey: 'mismatch-0',
      rows: rows(1, [['a@example.com', '', '']]),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]?.path).toEqual(['seq']);
    const badRow = await call<{ error: { code: string; details: { path: (string | number)[] }[] } }>('PUT', `/api/imports/${imp.id}/batches/0`, {
      seq: 0,
      idempotencyKey: 'bad-row-0',
      rows: [{ row: 0, values: ['a@example.com', '', ''] }],
    });
    expect(badRow.status).toBe(400);
    expect(badRow.body.error.details[0]?.path).toEqual(['rows', 0, 'row']);
  });

  it('carries the line each row starts on into the batch answer, the report and its CSV, and replays it', async () => {
    const imp = await startImport(startBody(COLUMNS, 'Email'));
    const body = [
      { row: 1, line: 2, values: ['ok@example.com', 'Ann', 'Oslo'] },
      // Row 2 held a two-line note, so row 3 starts on line 5.
      { row: 2, line: 3, values: ['fine@example.com', 'Multi\nline', 'Rome'] },
      { row: 3, line: 5, values: ['not-an-email', 'Bob', ''] },
      { row: 4, line: 6, values: ['x@example.com'], fieldCount: 4 },
    ];
    const first = await putBatch(imp.id, 0, body);
    expect(first.status).toBe(200);
    const errors = (first.body as { errors: { row: number; line?: number; code: string }[] }).errors;
    expect(errors.map((e) => [e.row, e.line, e.code])).toEqual([
      [3, 5, 'invalid_email'],
      [4, 6, 'ragged_row'],
    ]);
    const replay = await putBatch(imp.id, 0, body);
    expect((replay.body as { errors: unknown[] }).errors).toEqual(errors);
    const report = await ok<ImportReport>('GET', `/api/imports/${imp.id}/report`);
    expect(report.errors.map((e) => [e.row, e.line])).toEqual([
      [3, 5],
      [4, 6],
    ]);
    const csv = await (await fetchAs('admin', `/api/imports/${imp.id}/report.csv`)).text();
    const lines = csv.replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).toBe('Row,Line,Column,Problem,Reason,Value');
    expect(lines[1]?.startsWith('3,5,Email,invalid_email,')).toBe(true);
    expect(lines[2]?.startsWith('4,6,,ragged_row,')).toBe(true);
    // The multi-line note is stored with its line break.
    const page = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members`);
    expect(page.members.find((m) => m.identifier === 'fine@example.com')?.attributes.first_name).toBe('Multi\nline');
  });
});
