import { env, introspectWorkflow } from 'cloudflare:test';
import { finishRun } from '../../worker/sync/finishRun.ts';
import { describe, expect, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import type { Field } from '../../shared/schema/fields.ts';
import type { DeletedSync, Sync, SyncRunReport } from '../../shared/schema/syncs.ts';
import { connect, createOrg } from './connectors/fakeSalesforce.ts';
import { call, callAs, ok } from './support/api.ts';
import { contacts, createSync, runNow, settings, settled } from './sync/syncHelpers.ts';

describe('/api/syncs', () => {
  it('refuses a sync without double opt-in, or with a mapping to a field that does not exist', async () => {
    const org = await createOrg();
    const connectionId = await connect(org);
    const noConsent = await call('POST', '/api/syncs', { connectionId, audienceName: 'A', settings: settings(), consent: { doubleOptIn: false, confirmedBy: 'me' } });
    expect(noConsent.status).toBe(422);
    const unknown = settings();
    unknown.mapping.columns.push({ column: 'Title', target: 'no_such_field', sensitive: false });
    const bad = await call<{ error: { code: string; details: { path: unknown[] }[] } }>('POST', '/api/syncs', {
      connectionId,
      audienceName: 'A',
      settings: unknown,
      consent: { doubleOptIn: true, confirmedBy: 'me' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]?.path).toEqual(['settings', 'mapping', 'columns', 2, 'target']);
    const missing = await call('POST', '/api/syncs', { connectionId: 'nope', audienceName: 'A', settings: settings(), consent: { doubleOptIn: true, confirmedBy: 'me' } });
    expect(missing.status).toBe(404);
    expect((await ok<Sync[]>('GET', '/api/syncs')).some((s) => s.connectionId === connectionId)).toBe(false);
  });

  it('lists syncs with who gave consent, and reports a run like an import', async () => {
    const org = await createOrg({ records: { Contact: [...contacts(2), { LastName: 'Synced', Email: 'not-an-email', Custom_Field_005__c: true }] } });
    const sync = await createSync(await connect(org));
    expect(sync).toMatchObject({ version: 1, paused: false, health: 'never_run', nextRunAt: null, consent: { confirmedBy: 'marketer@example.com' } });
    // Who confirmed consent is also the signed-in user, kept with the sync.
    const stored = await env.DB.prepare('SELECT consent_user_id FROM syncs WHERE id = ?').bind(sync.id).first<{ consent_user_id: string | null }>();
    expect(stored?.consent_user_id).toEqual(expect.any(String));
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    const answer = await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${run.id}`);
    expect(answer.run.id).toBe(run.id);
    expect(answer.report.import.counts).toMatchObject({ received: 3, inserted: 2, rejected: 1 });
    expect(answer.report.errors).toEqual([expect.objectContaining({ row: 3, column: 'Email', code: 'invalid_email' })]);
    expect((await call('GET', `/api/syncs/${sync.id}/runs/not-a-run`)).status).toBe(404);
    const listed = (await ok<Sync[]>('GET', '/api/syncs')).find((s) => s.id === sync.id);
    expect(listed).toMatchObject({ health: 'healthy', lastRun: { id: run.id, status: 'succeeded' } });
  });

  it('goes away with its audience', async () => {
    const org = await createOrg({ records: { Contact: contacts(2) } });
    const sync = await createSync(await connect(org));
    await settled(sync.id, (await runNow(sync.id)).run.id);
    expect((await call('DELETE', `/api/audiences/${sync.audienceId}`)).status).toBe(200);
    expect((await call('GET', `/api/syncs/${sync.id}`)).status).toBe(404);
  });
});

describe('who may do what with a sync', () => {
  it('lets a marketer run a sync but not create, edit or pause one; a viewer only reads', async () => {
    const org = await createOrg({ records: { Contact: contacts(1) } });
    const sync = await createSync(await connect(org));
    const body = { connectionId: sync.connectionId, audienceName: 'B', settings: settings(), consent: { doubleOptIn: true, confirmedBy: 'me' } };
    expect((await callAs('marketer', 'POST', '/api/syncs', body)).status).toBe(403);
    expect((await callAs('marketer', 'PUT', `/api/syncs/${sync.id}`, { settings: settings() })).status).toBe(403);
    expect((await callAs('marketer', 'POST', `/api/syncs/${sync.id}/pause`)).status).toBe(403);
    const run = await callAs<{ run: { id: string } }>('marketer', 'POST', `/api/syncs/${sync.id}/runs`);
    expect(run.status).toBe(201);
    await settled(sync.id, run.body.run.id);
    expect((await callAs('viewer', 'POST', `/api/syncs/${sync.id}/runs`)).status).toBe(403);
    expect((await callAs('viewer', 'GET', `/api/syncs/${sync.id}/runs`)).status).toBe(200);
  });
});

describe('the no-overlap guard', () => {
  it('is not held by a run that ended without giving it back', async () => {
    const org = await createOrg({ records: { Contact: contacts(1) } });
    const sync = await createSync(await connect(org));
    const first = await settled(sync.id, (await runNow(sync.id)).run.id);
    // As if the release after the run had been lost.
    await env.DB.prepare('UPDATE syncs SET running_run_id = ? WHERE id = ?').bind(first.id, sync.id).run();
    const again = await runNow(sync.id);
    expect(again.started).toBe(true);
    expect(again.run.id).not.toBe(first.id);
    await settled(sync.id, again.run.id);
  });
});

describe('deleting a sync', () => {
  it('keeps the audience, its members and its imports; drops the sync, its runs and the allowed values it gave; keeps the links unowned', async () => {
    await ok('POST', '/api/fields', { label: 'Source of lead', key: 'deleted_sync_source', type: 'text' });
    const org = await createOrg({ records: { Contact: contacts(3).map((c) => ({ ...c, LeadSource: 'Web' })) } });
    const mapped = settings();
    mapped.mapping.columns.push({ column: 'LeadSource', target: 'deleted_sync_source', sensitive: false });
    const sync = await createSync(await connect(org), mapped);
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run.counts.inserted).toBe(3);
    const fieldBefore = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === 'deleted_sync_source');
    expect(fieldBefore?.allowedValues?.length).toBeGreaterThan(0);

    // Admins (and the key contact) only.
    expect((await callAs('marketer', 'DELETE', `/api/syncs/${sync.id}`)).status).toBe(403);
    expect((await callAs('viewer', 'DELETE', `/api/syncs/${sync.id}`)).status).toBe(403);
    const deleted = await ok<DeletedSync>('DELETE', `/api/syncs/${sync.id}`);
    expect(deleted).toEqual({ id: sync.id, audienceId: sync.audienceId, membersKept: 3 });

    expect((await call('GET', `/api/syncs/${sync.id}`)).status).toBe(404);
    expect((await ok<Sync[]>('GET', '/api/syncs')).some((s) => s.id === sync.id)).toBe(false);
    expect((await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`)).memberCount).toBe(3);
    const count = async (sql: string, ...binds: string[]) => (await env.DB.prepare(sql).bind(...binds).first<{ n: number }>())?.n;
    expect(await count('SELECT count(*) AS n FROM members WHERE audience_id = ?', sync.audienceId)).toBe(3);
    expect(await count('SELECT count(*) AS n FROM imports WHERE id = ?', run.importId)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM sync_runs WHERE sync_id = ?', sync.id)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM sync_versions WHERE sync_id = ?', sync.id)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM field_allowed_values WHERE sync_id = ?', sync.id)).toBe(0);
    expect((await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === 'deleted_sync_source')?.allowedValues).toBeUndefined();
    expect(await count('SELECT count(*) AS n FROM crm_record_links WHERE audience_id = ? AND seen_by_run IS NULL', sync.audienceId)).toBe(3);
    expect(await count('SELECT count(*) AS n FROM crm_record_links WHERE audience_id = ?', sync.audienceId)).toBe(3);

    // In the change history, by whom, with what the sync was.
    const entry = await env.DB.prepare("SELECT action, subject_kind, before, after FROM change_history WHERE subject_id = ? AND action = 'deleted'")
      .bind(sync.id)
      .first<{ action: string; subject_kind: string; before: string; after: string | null }>();
    expect(entry).toMatchObject({ subject_kind: 'sync', after: null });
    expect(JSON.parse(entry?.before ?? '{}')).toMatchObject({ name: mapped.name, object: 'Contact' });
    expect((await call('DELETE', `/api/syncs/${sync.id}`)).status).toBe(404);
  });

  it('is refused while a run is going, and goes once the run has ended', async () => {
    const org = await createOrg({ records: { Contact: contacts(2) } });
    const sync = await createSync(await connect(org));
    // A run whose Workflow is held (its steps answered by mocks): it stays running until the test ends it.
    const introspector = await introspectWorkflow(env.SYNC_RUNS);
    try {
      await introspector.modifyAll(async (m) => {
        await m.mockStepResult({ name: 'pages 0' }, { done: true, nextSeq: 0, pages: 0, pulled: 0 });
        await m.mockStepResult({ name: 'deletions' }, 0);
        await m.mockStepResult({ name: 'reconcile 0' }, { done: true });
        await m.mockStepResult({ name: 'finish' }, 'held by the test');
      });
      const { run } = await runNow(sync.id);
      const refused = await call<{ error: { code: string; message: string } }>('DELETE', `/api/syncs/${sync.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'conflict', message: 'This sync is running. Delete it once the run has ended.' });
      expect((await call('GET', `/api/syncs/${sync.id}`)).status).toBe(200);
      await finishRun(env.DB, 'default', run.id, null, new Date());
      expect((await call('DELETE', `/api/syncs/${sync.id}`)).status).toBe(200);
      expect((await call('GET', `/api/syncs/${sync.id}`)).status).toBe(404);
    } finally {
      await introspector.dispose();
    }
  });
});
