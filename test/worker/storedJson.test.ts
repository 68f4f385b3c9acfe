import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../shared/schema/errors.ts';
import { call, rows, startBody, startImport, putBatch } from './support/api.ts';

describe('JSON read back from D1', () => {
  it('refuses a batch against a stored plan that lost its shape, instead of guessing column types', async () => {
    const imp = await startImport(startBody([{ column: 'Email', target: 'email' }], 'Email'));
    // An import whose plan no longer says which field type a column is (a bad manual edit, a half-done migration).
    await env.DB.prepare(`UPDATE imports SET plan = json_remove(plan, '$.columns[0].type') WHERE id = ?`).bind(imp.id).run();

    const answer = await putBatch(imp.id, 0, rows(1, [['ada@example.com']]));
    expect(answer.status).toBe(500);
    expect((answer.body as unknown as ApiErrorBody).error.code).toBe('internal');
    const members = await env.DB.prepare('SELECT count(*) AS n FROM members WHERE audience_id = ?').bind(imp.audienceId).first<{ n: number }>();
    expect(members?.n).toBe(0);
  });

  it('answers a template whose stored mapping is not a mapping with an error, not with the broken value', async () => {
    const saved = await call<{ id: string }>('PUT', '/api/templates', {
      name: 'Fair list',
      signature: `sig-${crypto.randomUUID()}`,
      mapping: { columns: [{ column: 'Email', target: 'email', sensitive: false }], identifier: 'Email', onMatch: 'update' },
    });
    expect(saved.status).toBe(200);
    await env.DB.prepare(`UPDATE mapping_templates SET mapping = '{"columns": "Email"}' WHERE id = ?`).bind(saved.body.id).run();

    const answer = await call<ApiErrorBody>('GET', `/api/templates/${saved.body.id}`);
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('internal');
  });
});
