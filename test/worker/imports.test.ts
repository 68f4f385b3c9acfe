import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Audience, MemberPage } from '../../shared/schema/audiences.ts';
import type { ImportSummary } from '../../shared/schema/imports.ts';
import { call, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';

const COLUMNS: Column[] = [
  { column: 'Email', target: 'email' },
  { column: 'First name', target: 'first_name' },
  { column: 'Notes', target: null },
  { column: 'Mobile', target: 'mobile' },
];

async function tableCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['audiences', 'imports', 'members', 'import_batches', 'import_errors']) {
    out[table] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? -1;
  }
  return out;
}

describe('a full import', () => {
  it('creates the audience, stores normalized members and finishes with exact counts', async () => {
    const started = await call<ImportSummary>('POST', '/api/imports', startBody(COLUMNS, 'Email', { audienceName: 'Spring fair' }));
    expect(started.status).toBe(201);
    const imp = started.body;
    expect(imp).toMatchObject({ status: 'open', nextSeq: 0, batchSize: 2000, defaultCountry: 'US' });
    expect(imp.counts).toEqual({ received: 0, inserted: 0, updated: 0, duplicates: 0, rejected: 0, skipped: 0 });

    const result = await sendBatch(
      imp.id,
      0,
      rows(1, [
        ['  Ada@Example.COM ', 'Ada  Lovelace', '(415) 555-2671'],
        ['grace@example.com', 'Grace', ''],
        ['', '', ''],
        ['alan@example.com', '', '+44 20 7946 0958'],
      ]),
    );
    expect(result).toEqual({
      seq: 0,
      counts: { received: 4, inserted: 3, updated: 0, duplicates: 0, rejected: 0, skipped: 1 },
      errors: [],
      replayed: false,
    });

    const finished = await ok<ImportSummary>('POST', `/api/imports/${imp.id}/finish`);
    expect(finished).toMatchObject({ status: 'completed', nextSeq: 1 });
    expect(finished.finishedAt).not.toBeNull();
    expect(finished.counts).toEqual(result.counts);

    const audience = await ok<Audience>('GET', `/api/audiences/${imp.audienceId}`);
    expect(audience).toMatchObject({ name: 'Spring fair', memberCount: 3 });
    const page = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members`);
    expect(page.total).toBe(3);
    expect(page.members.map((m) => [m.identifier, m.attributes])).toEqual([
      ['ada@example.com', { email: 'ada@example.com', first_name: 'Ada  Lovelace', mobile: '+14155552671' }],
      ['grace@example.com', { email: 'grace@example.com', first_name: 'Grace' }],
      ['alan@example.com', { email: 'alan@example.com', mobile: '+442079460958' }],
    ]);
  });

  it('imports into an existing audience', async () => {
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Existing' });
    const imp = await startImport(startBody(COLUMNS, 'Email', { audienceId: audience.id }));
    expect(imp.audienceId).toBe(audience.id);
    const missing = await call<{ error: { code: string } }>('POST', '/api/imports', startBody(COLUMNS, 'Email', { audienceId: 'nope' }));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('refuses to start without double opt-in and stores nothing', async () => {
    const before = await tableCounts();
    for (const consent of [undefined, { doubleOptIn: false }, {}]) {
      const body = { ...startBody(COLUMNS, 'Email'), consent };
      const res = await call<{ error: { code: string; message: string } }>('POST', '/api/imports', body);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('consent_required');
      expect(res.body.error.message).toMatch(/double opt-in/);
    }
    expect(await tableCounts()).toEqual(before);
  });

  it('says which field of the start body is wrong', async () => {
    type Err = { error: { code: string; details: { path: (string | number)[]; message: string }[] } };
    const unknownField = await call<Err>('POST', '/api/imports', startBody([{ column: 'Email', target: 'e_mail' }], 'Email'));
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.code).toBe('validation_failed');
    expect(unknownField.body.error.details).toEqual([{ path: ['mapping', 'columns', 0, 'target'], message: expect.stringContaining('e_mail') }]);

    const skippedIdentifier = await call<Err>('POST', '/api/imports', startBody(COLUMNS, 'Notes'));
    expect(skippedIdentifier.status).toBe(400);
    expect(skippedIdentifier.body.error.details).toContainEqual({ path: ['mapping', 'identifier'], message: expect.stringContaining('skipped') });

    const badCountry = await call<Err>('POST', '/api/imports', startBody(COLUMNS, 'Email', { defaultCountry: 'usa' }));
    expect(badCountry.body.error.details.map((d) => d.path)).toEqual([['defaultCountry']]);

    const notJson = await call<Err>('POST', '/api/imports');
    expect(notJson.status).toBe(400);
  });

  it('answers 404 for an unknown import', async () => {
    const res = await call<{ error: { code: string } }>('GET', '/api/imports/missing');
    expect(res).toEqual({ status: 404, body: { error: expect.objectContaining({ code: 'not_found' }) } });
  });
});
