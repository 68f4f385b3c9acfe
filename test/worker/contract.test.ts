import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Audience, Member, MemberPage } from '../../shared/schema/audiences.ts';
import { ApiErrorBody, ErrorCode } from '../../shared/schema/errors.ts';
import { Field } from '../../shared/schema/fields.ts';
import { BatchResult, ImportReport, ImportSummary } from '../../shared/schema/imports.ts';
import { MappingTemplate } from '../../shared/schema/mapping.ts';
import { call, ok, rows, startBody } from './support/api.ts';

/** The answer parses with the shared schema and loses nothing in parsing: no missing and no extra keys. */
function conforms<S extends z.ZodType>(schema: S, value: unknown): void {
  const parsed = schema.safeParse(value);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(parsed.data).toEqual(value);
}

describe('answers follow the shared contract', () => {
  it('for every resource', async () => {
    conforms(Field.array(), await ok('GET', '/api/fields'));
    conforms(Field, await ok('POST', '/api/fields', { label: 'Contract field' }));
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Contract' });
    conforms(Audience, audience);
    conforms(Audience.array(), await ok('GET', '/api/audiences'));
    conforms(
      MappingTemplate,
      await ok('PUT', '/api/templates', {
        name: 'T',
        signature: 'email',
        mapping: { columns: [{ column: 'Email', target: 'email' }], identifier: 'Email' },
      }),
    );
    conforms(MappingTemplate.array(), await ok('GET', '/api/templates?signature=email'));

    const body = startBody([{ column: 'Email', target: 'email' }, { column: 'Phone', target: 'mobile', sensitive: true }], 'Email', {
      audienceId: audience.id,
    });
    const imp = await ok<ImportSummary>('POST', '/api/imports', body);
    conforms(ImportSummary, imp);
    conforms(BatchResult, await ok('PUT', `/api/imports/${imp.id}/batches/0`, { seq: 0, idempotencyKey: 'contract-0', rows: rows(1, [['a@example.com', '4155552671'], ['bad', '']]) }));
    conforms(ImportSummary, await ok('GET', `/api/imports/${imp.id}`));
    conforms(ImportSummary, await ok('POST', `/api/imports/${imp.id}/finish`));
    conforms(ImportReport, await ok('GET', `/api/imports/${imp.id}/report`));
    const page = await ok<MemberPage>('GET', `/api/audiences/${audience.id}/members`);
    conforms(MemberPage, page);
    conforms(Member, page.members[0]);

    for (const [method, path, payload] of [
      ['GET', '/api/imports/none', undefined],
      ['POST', '/api/audiences', { name: '' }],
      ['POST', '/api/imports', { ...body, consent: {} }],
      ['PUT', `/api/imports/${imp.id}/batches/1`, { seq: 1, idempotencyKey: 'contract-1', rows: rows(1, [['b@example.com', '']]) }],
    ] as const) {
      const answer = await call(method, path, payload);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      const parsed = ApiErrorBody.parse(answer.body);
      expect(ErrorCode.options).toContain(parsed.error.code);
    }
  });
});
