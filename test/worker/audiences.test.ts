import { describe, expect, it } from 'vitest';
import type { Audience, MemberPage } from '../../shared/schema/audiences.ts';
import { call, ok, rows, sendBatch, startBody, startImport } from './support/api.ts';

describe('/api/audiences', () => {
  it('creates, lists and reads audiences', async () => {
    const created = await call<Audience>('POST', '/api/audiences', { name: '  Newsletter  ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Newsletter', memberCount: 0 });
    expect(await ok<Audience>('GET', `/api/audiences/${created.body.id}`)).toEqual(created.body);
    expect((await ok<Audience[]>('GET', '/api/audiences')).map((a) => a.id)).toContain(created.body.id);
  });

  it('says the name is missing', async () => {
    const res = await call<{ error: { code: string; details: { path: string[]; message: string }[] } }>('POST', '/api/audiences', { name: ' ' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: ['name'], message: 'an audience needs a name' }]);
  });

  it('pages members with a cursor until the end', async () => {
    const imp = await startImport(startBody([{ column: 'Email', target: 'email' }], 'Email'));
    const emails = Array.from({ length: 25 }, (_, i) => `m${String(i).padStart(2, '0')}@example.com`);
    await sendBatch(imp.id, 0, rows(1, emails.map((e) => [e])));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: MemberPage = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.total).toBe(25);
      seen.push(...page.members.map((m) => m.identifier));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(emails);
    expect(pages).toBe(3);

    const bad = await call<{ error: { details: { path: string[] }[] } }>('GET', `/api/audiences/${imp.audienceId}/members?limit=0&cursor=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.path)).toEqual(expect.arrayContaining([['query', 'limit'], ['query', 'cursor']]));
  });
});
