import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Sync, SyncRunReport } from '../../shared/schema/syncs.ts';
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
