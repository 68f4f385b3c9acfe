import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Audience, MemberPage } from '../../shared/schema/audiences.ts';
import type { Field } from '../../shared/schema/fields.ts';
import type { MappingTemplate } from '../../shared/schema/mapping.ts';
import { call, ok, putBatch, rows, startBody, type Column } from './support/api.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const COLUMNS: Column[] = [{ column: 'Email', target: 'email' }];

// Another tenant's rows, written behind the API's back: the API acts for 'default' and must not see them.
beforeAll(async () => {
  const plan = JSON.stringify({ headerCount: 1, columns: [{ column: 'Email', target: 'email', type: 'email', sensitive: false }], identifierIndex: 0, onMatch: 'update', defaultCountry: 'US' });
  const mapping = JSON.stringify({ columns: [{ column: 'Email', target: 'email', sensitive: false }], identifier: 'Email', onMatch: 'update' });
  await env.DB.batch([
    env.DB.prepare(`INSERT INTO workspaces (id, name) VALUES ('other', 'Other tenant')`),
    env.DB.prepare(`INSERT INTO fields (workspace_id, key, label, type, created_at) VALUES ('other', 'secret_score', 'Secret score', 'number', ?)`).bind(NOW),
    env.DB.prepare(`INSERT INTO audiences (id, workspace_id, name, member_count, created_at, updated_at) VALUES ('aud-other', 'other', 'Theirs', 1, ?, ?)`).bind(NOW, NOW),
    env.DB.prepare(
      `INSERT INTO members (workspace_id, audience_id, identifier_key, attributes, created_at, updated_at)
       VALUES ('other', 'aud-other', 'theirs@example.com', '{"email":"theirs@example.com"}', ?, ?)`,
    ).bind(NOW, NOW),
    env.DB.prepare(
      `INSERT INTO mapping_templates (id, workspace_id, signature, name, mapping, created_at, updated_at)
       VALUES ('tpl-other', 'other', 'email', 'Their template', ?, ?, ?)`,
    ).bind(mapping, NOW, NOW),
    env.DB.prepare(
      `INSERT INTO imports (id, workspace_id, audience_id, source, mapping, plan, on_match, default_country, batch_size, created_at)
       VALUES ('imp-other', 'other', 'aud-other', '{"kind":"csv","fileName":"x.csv","headers":["Email"]}', ?, ?, 'update', 'US', 2000, ?)`,
    ).bind(mapping, plan, NOW),
  ]);
});

describe('workspace scoping', () => {
  it('keeps another workspace’s audiences, members, fields, templates and imports invisible', async () => {
    const audiences = await ok<Audience[]>('GET', '/api/audiences');
    expect(audiences.map((a) => a.id)).not.toContain('aud-other');
    expect((await call('GET', '/api/audiences/aud-other')).status).toBe(404);
    expect((await call('GET', '/api/audiences/aud-other/members')).status).toBe(404);

    expect((await ok<Field[]>('GET', '/api/fields')).map((f) => f.key)).not.toContain('secret_score');
    expect(await ok<MappingTemplate[]>('GET', '/api/templates?signature=email')).toEqual([]);
    expect((await ok<MappingTemplate[]>('GET', '/api/templates')).map((t) => t.id)).not.toContain('tpl-other');
    expect((await call('GET', '/api/templates/tpl-other')).status).toBe(404);

    expect((await call('GET', '/api/imports/imp-other')).status).toBe(404);
    expect((await call('GET', '/api/imports/imp-other/report')).status).toBe(404);
    expect((await call('POST', '/api/imports/imp-other/finish')).status).toBe(404);
    expect((await putBatch('imp-other', 0, rows(1, [['mine@example.com']]))).status).toBe(404);
  });

  it('refuses to import into another workspace’s audience or with its custom fields', async () => {
    expect((await call('POST', '/api/imports', startBody(COLUMNS, 'Email', { audienceId: 'aud-other' }))).status).toBe(404);
    const theirField = await call('POST', '/api/imports', startBody([{ column: 'Score', target: 'secret_score' }], 'Score'));
    expect(theirField.status).toBe(400);

    const theirs = await env.DB.prepare(`SELECT count(*) AS n FROM members WHERE workspace_id = 'other'`).first<{ n: number }>();
    expect(theirs?.n).toBe(1);
  });

  it('pages only the audience’s own members', async () => {
    const audience = await ok<Audience>('POST', '/api/audiences', { name: 'Mine' });
    const page = await ok<MemberPage>('GET', `/api/audiences/${audience.id}/members`);
    expect(page).toMatchObject({ members: [], nextCursor: null, total: 0 });
  });
});
