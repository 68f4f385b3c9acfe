import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { saveExportSettings } from './push/pushHelpers.ts';
import type { CreatedToken, Member } from '../../shared/schema/auth.ts';
import type { CrmConnection } from '../../shared/schema/crm.ts';
import type { ChangeEntry, ChangeHistoryPage, ChangeImpact } from '../../shared/schema/history.ts';
import type { Sync } from '../../shared/schema/syncs.ts';
import { call as callWithOrg, connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { call, callAs, emailOf, ok, rows, sendBatch, startImport } from './support/api.ts';
import { contacts, createSync, settings } from './sync/syncHelpers.ts';

const historyOf = async (path: string) => (await ok<ChangeHistoryPage>('GET', path)).entries;
const latest = async (path: string): Promise<ChangeEntry> => {
  const [entry] = await historyOf(path);
  if (!entry) throw new Error(`no history at ${path}`);
  return entry;
};

async function connected(request: Parameters<typeof createOrg>[0] = {}): Promise<{ org: FakeOrgHandle; id: string }> {
  const org = await createOrg(request);
  return { org, id: await connect(org) };
}

/** An import of Salesforce Contacts into a new audience, as the SPA sends one: Email and Fax, `faxes` of the rows with a fax. */
async function importContacts(connectionId: string, people: number, faxes: number): Promise<string> {
  await call('POST', '/api/fields', { label: 'Fax', key: 'fax', type: 'text' });
  const started = await startImport({
    audienceName: `Contacts ${crypto.randomUUID().slice(0, 6)}`,
    source: { kind: 'salesforce', connectionId, object: 'Contact', headers: ['Email', 'Fax'] },
    mapping: {
      columns: [
        { column: 'Email', target: 'email', sensitive: false },
        { column: 'Fax', target: 'fax', sensitive: false },
      ],
      identifier: 'Email',
      onMatch: 'update',
    },
    consent: { doubleOptIn: true },
    defaultCountry: 'US',
    batchSize: 100,
  });
  const values = Array.from({ length: people }, (_, i) => [`p${i}@example.com`, i < faxes ? `+1 555 0100 ${i}` : '']);
  await sendBatch(started.id, 0, rows(1, values));
  await ok('POST', `/api/imports/${started.id}/finish`);
  return started.audienceId;
}

describe('change history', () => {
  it('records a table’s attributes before → after, by whom, in the integration’s and the workspace’s history; saving the same again is no change', async () => {
    const { org, id } = await connected();
    const put = (attributes: string[]) => callWithOrg(org, `/api/connections/${id}/configs/Contact`, { method: 'PUT', json: { attributes, filters: [] } });
    expect((await put(['Email', 'Fax'])).status).toBe(200);
    expect((await put(['Email', 'Phone'])).status).toBe(200);
    expect((await put(['Email', 'Phone'])).status).toBe(200);

    const entries = (await historyOf(`/api/connections/${id}/history`)).filter((e) => e.subject.kind === 'table_config');
    expect(entries.map((e) => e.action)).toEqual(['updated', 'created']);
    expect(entries[0]).toMatchObject({
      actor: { kind: 'user', label: expect.stringContaining(emailOf('admin')) },
      subject: { id: `${id}:Contact`, connectionId: id, label: expect.stringMatching(/^Contact of Salesforce · /) },
      before: { attributes: ['Email', 'Fax'], filters: [], templateId: null },
      after: { attributes: ['Email', 'Phone'], filters: [], templateId: null },
      changes: ['attributes: added Phone; removed Fax'],
    });
    const workspace = await ok<ChangeHistoryPage>('GET', '/api/history?kind=table_config&limit=1');
    expect(workspace.entries.map((e) => e.id)).toEqual([entries[0]?.id]);
    const older = await ok<ChangeHistoryPage>('GET', `/api/history?kind=table_config&limit=1&cursor=${encodeURIComponent(workspace.nextCursor ?? '')}`);
    expect(older.entries.map((e) => e.id)).toEqual([entries[1]?.id]);
    // The connect itself is the integration's first entry.
    expect((await historyOf(`/api/connections/${id}/history`)).at(-1)).toMatchObject({ action: 'connected', subject: { kind: 'integration', id }, after: { status: 'enabled', access: 'granted' } });
  });

  it('records syncs created, edited, paused and resumed with what changed', async () => {
    const { id } = await connected();
    const sync = await createSync(id, settings({ cycle: 'daily' }));
    await ok('PUT', `/api/syncs/${sync.id}`, { settings: settings({ cycle: 'hourly' }) });
    await ok('POST', `/api/syncs/${sync.id}/pause`);
    await ok('POST', `/api/syncs/${sync.id}/resume`);
    const entries = (await historyOf(`/api/connections/${id}/history`)).filter((e) => e.subject.kind === 'sync');
    expect(entries.map((e) => e.action)).toEqual(['resumed', 'paused', 'updated', 'created']);
    expect(entries[2]?.changes).toEqual(['cycle: daily → hourly']);
    expect(entries[1]?.changes).toEqual(['paused: no → yes']);
    expect(entries[3]?.changes).toContain('cycle: daily');
    expect(entries.every((e) => e.subject.id === sync.id && e.subject.label === 'Contacts from Salesforce')).toBe(true);
  });

  it('records mapping templates, roles, invitations and API tokens, and never a token', async () => {
    const mapping = { columns: [{ column: 'E-mail', target: 'email', sensitive: false }], identifier: 'E-mail', onMatch: 'update' };
    await ok('PUT', '/api/templates', { name: 'Newsletter', signature: 'e-mail', mapping });
    await ok('PUT', '/api/templates', { name: 'Newsletter', signature: 'e-mail', mapping: { ...mapping, onMatch: 'reject' } });
    expect((await latest('/api/history?kind=mapping_template')).changes).toEqual(['mapping.onMatch: update → reject']);

    await callAs('marketer', 'GET', '/api/members');
    const marketer = (await ok<Member[]>('GET', '/api/members')).find((m) => m.email === emailOf('marketer'));
    if (!marketer) throw new Error('no marketer seat');
    await ok('PUT', `/api/members/${marketer.id}/role`, { role: 'viewer' });
    await ok('PUT', `/api/members/${marketer.id}/role`, { role: 'marketer' });
    const roles = await historyOf('/api/history?kind=member_role');
    expect(roles[1]).toMatchObject({ action: 'role_changed', subject: { id: marketer.id, label: expect.stringContaining(emailOf('marketer')) }, changes: ['role: marketer → viewer'] });
    await ok('POST', '/api/members/invitations', { email: 'new.person@example.com', role: 'viewer' });
    expect(await latest('/api/history?kind=member_role')).toMatchObject({ action: 'invited', changes: ['invited: new.person@example.com', 'role: viewer'] });

    const created = (await call<CreatedToken>('POST', '/api/tokens', { name: 'Nightly export', role: 'viewer' })).body;
    await ok('DELETE', `/api/tokens/${created.id}`);
    const tokens = await historyOf('/api/history?kind=api_token');
    expect(tokens.map((e) => [e.action, e.changes])).toEqual([
      ['revoked', ['status: active → revoked']],
      ['created', ['name: Nightly export', 'role: viewer', 'status: active']],
    ]);
    const stored = await env.DB.prepare('SELECT group_concat(coalesce(before, "") || coalesce(after, ""), "") AS text FROM change_history').first<{ text: string }>();
    expect(stored?.text).not.toContain(created.token);
    expect(stored?.text).not.toContain(created.hint);

    // A script's change names its token.
    const script = (await call<CreatedToken>('POST', '/api/tokens', { name: 'Template bot', role: 'marketer' })).body;
    const byToken = await SELF.fetch('http://app.test/api/templates', {
      method: 'PUT',
      headers: { authorization: `Bearer ${script.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'From a script', signature: 'email,name', mapping }),
    });
    expect(byToken.status).toBe(200);
    expect((await latest('/api/history?kind=mapping_template')).actor).toEqual({ kind: 'api_token', id: script.id, label: 'API token “Template bot”' });
  });

  it('lets admins and marketers read the history, not viewers', async () => {
    expect((await callAs('marketer', 'GET', '/api/history')).status).toBe(200);
    expect((await callAs('keyContact', 'GET', '/api/history')).status).toBe(200);
    expect((await callAs('viewer', 'GET', '/api/history')).status).toBe(403);
    expect((await callAs('anonymous', 'GET', '/api/history')).status).toBe(401);
  });
});

describe('impact preview', () => {
  it('counts the audiences and members fed from the table, its syncs, and the members holding a removed attribute’s value', async () => {
    const { org, id } = await connected({ records: { Contact: contacts(2) } });
    await callWithOrg(org, `/api/connections/${id}/configs/Contact`, { method: 'PUT', json: { attributes: ['Email', 'Fax'] } });
    const imported = await importContacts(id, 5, 3);
    const sync = await createSync(id, settings({ cycle: 'daily' }));
    // Another table of the same connection reaches none of them.
    const other = await callWithOrg(org, `/api/connections/${id}/configs/Lead/impact`, { json: { attributes: ['Email'] } });
    expect(((await other.json()) as ChangeImpact).audiences).toEqual([]);

    const res = await callWithOrg(org, `/api/connections/${id}/configs/Contact/impact`, { json: { attributes: ['Email', 'Phone'] } });
    expect(res.status).toBe(200);
    const impact = (await res.json()) as ChangeImpact;
    // By name: "Contacts …" (the import's audience) before "Synced …" (the sync's).
    expect(impact.audiences).toEqual([
      expect.objectContaining({ id: imported, memberCount: 5, via: ['import'] }),
      expect.objectContaining({ id: sync.audienceId, memberCount: 0, via: ['sync'] }),
    ]);
    expect(impact.totalMembers).toBe(5);
    expect(impact.syncs).toEqual([expect.objectContaining({ id: sync.id, scheduled: true, cycle: 'daily' })]);
    expect(impact.exportMappings).toEqual([]);
    expect(impact.attributesAdded).toEqual(['Phone']);
    expect(impact.attributesRemoved).toEqual([{ attribute: 'Fax', fieldKey: 'fax', membersWithValue: 3 }]);
    expect(impact.changes).toEqual(['attributes: added Phone; removed Fax']);
    expect(impact.summary).toEqual([
      'This change touches 2 audiences (5 members) and 1 scheduled sync.',
      'Phone will be imported from now on.',
      'Fax (field fax) will no longer be imported: the values already imported stay on 3 members but are no longer updated.',
    ]);
    // A preview changes nothing.
    const saved = await ok<{ attributes: string[] }>('GET', `/api/connections/${id}/configs/Contact`);
    expect(saved.attributes).toEqual(['Email', 'Fax']);

    // Once "Sync to CRM" writes members into Contacts, that export mapping is touched too (Leads' is not).
    await saveExportSettings(id, { people: { target: 'contact', identifiers: [{ platformField: 'email', crmProperty: 'Email' }], fields: [{ platformField: 'email', crmProperty: 'Email' }] } });
    const withExport = (await (await callWithOrg(org, `/api/connections/${id}/configs/Contact/impact`, { json: { attributes: ['Email'] } })).json()) as ChangeImpact;
    expect(withExport.exportMappings).toEqual([{ id: `${id}:people`, name: 'Sync to CRM: members as Contact records (1 mapped field)' }]);
    expect(withExport.summary[0]).toContain('1 export mapping');
    expect(((await (await callWithOrg(org, `/api/connections/${id}/configs/Lead/impact`, { json: { attributes: ['Email'] } })).json()) as ChangeImpact).exportMappings).toEqual([]);
  });

  it('previews a sync edit: its audience and the attributes it would stop importing', async () => {
    const { id } = await connected();
    const sync = await createSync(id, settings({ cycle: 'hourly' }));
    const edited = settings({ cycle: 'hourly' });
    edited.mapping.columns = edited.mapping.columns.filter((c) => c.column !== 'FirstName');
    const impact = await ok<ChangeImpact>('POST', `/api/syncs/${sync.id}/impact`, { settings: edited });
    expect(impact.audiences.map((a) => a.id)).toEqual([sync.audienceId]);
    expect(impact.attributesRemoved).toEqual([{ attribute: 'FirstName', fieldKey: 'first_name', membersWithValue: 0 }]);
    expect(impact.summary[0]).toBe('This change touches 1 audience (0 members) and 1 scheduled sync.');
    expect((await ok<Sync>('GET', `/api/syncs/${sync.id}`)).version).toBe(1);
  });
});

describe('disable, enable, remove access', () => {
  it('disables an integration (no pulls, no sync runs, saying why) and enables it again, each in the history', async () => {
    const { org, id } = await connected({ records: { Contact: contacts(2) } });
    const sync = await createSync(id);
    const disabled = (await (await callWithOrg(org, `/api/connections/${id}/disable`, { method: 'POST' })).json()) as CrmConnection;
    expect(disabled.disabledAt).toEqual(expect.any(String));
    const pull = await callWithOrg(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes: ['Email'] } });
    expect(pull.status).toBe(409);
    expect(((await pull.json()) as { error: { message: string } }).error.message).toMatch(/^This integration is disabled: nothing is pulled/);
    const run = await call<{ error: { code: string; message: string } }>('POST', `/api/syncs/${sync.id}/runs`);
    expect(run.status).toBe(409);
    expect(run.body.error.message).toMatch(/its syncs do not run until an admin enables it/);
    // Not due for the scheduler either, though its time has come.
    await env.DB.prepare('UPDATE syncs SET next_run_at = ? WHERE id = ?').bind('2000-01-01T00:00:00.000Z', sync.id).run();
    const { dueSyncs } = await import('../../worker/sync/syncStore.ts');
    expect((await dueSyncs(env.DB, new Date().toISOString(), 50)).map((d) => d.id)).not.toContain(sync.id);

    const enabled = (await (await callWithOrg(org, `/api/connections/${id}/enable`, { method: 'POST' })).json()) as CrmConnection;
    expect(enabled.disabledAt).toBeNull();
    expect((await dueSyncs(env.DB, new Date().toISOString(), 50)).map((d) => d.id)).toContain(sync.id);
    expect((await callWithOrg(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes: ['Email'] } })).status).toBe(200);
    const entries = (await historyOf(`/api/connections/${id}/history`)).filter((e) => e.subject.kind === 'integration');
    expect(entries.slice(0, 2).map((e) => [e.action, e.changes])).toEqual([
      ['enabled', ['status: disabled → enabled']],
      ['disabled', ['status: enabled → disabled']],
    ]);
  });

  it('removes access: the refresh token is revoked at Salesforce, no token is kept, the integration stays disabled until a new sign-in', async () => {
    const { org, id } = await connected({ records: { Contact: contacts(1) } });
    await callWithOrg(org, `/api/connections/${id}/configs/Contact`, { method: 'PUT', json: { attributes: ['Email'] } });
    const [refreshToken] = (await org.stats()).issuedRefreshTokens;
    if (!refreshToken) throw new Error('the fake issued no refresh token');

    const res = await callWithOrg(org, `/api/connections/${id}/remove-access`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await res.json()) as CrmConnection).toMatchObject({ id, disabledAt: expect.any(String), accessRemovedAt: expect.any(String) });
    expect((await org.stats()).revokedTokens).toBe(1);
    // At Salesforce, the refresh token no longer gives an access token.
    const refresh = await fetch(`${org.loginUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: env.SALESFORCE_CLIENT_ID, client_secret: env.SALESFORCE_CLIENT_SECRET }),
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
    const row = await env.DB.prepare('SELECT access_token_sealed, refresh_token_sealed FROM crm_connections WHERE id = ?').bind(id).first();
    expect(row).toEqual({ access_token_sealed: '', refresh_token_sealed: null });
    // Configs and history stay; enabling needs a new sign-in first.
    expect((await call('GET', `/api/connections/${id}/configs/Contact`)).status).toBe(200);
    expect(await latest(`/api/connections/${id}/history`)).toMatchObject({ action: 'access_removed', changes: ['status: enabled → disabled', 'access: granted → removed'] });
    expect((await callWithOrg(org, `/api/connections/${id}/enable`, { method: 'POST' })).status).toBe(409);
    // Removing again changes nothing and asks Salesforce nothing.
    expect((await callWithOrg(org, `/api/connections/${id}/remove-access`, { method: 'POST' })).status).toBe(200);
    expect((await org.stats()).revokedTokens).toBe(1);

    expect(await connect(org)).toBe(id);
    const back = await ok<CrmConnection>('GET', `/api/connections/${id}`);
    expect(back).toMatchObject({ disabledAt: null, accessRemovedAt: null, status: 'connected' });
    expect((await callWithOrg(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes: ['Email'] } })).status).toBe(200);
    expect((await latest(`/api/connections/${id}/history`)).action).toBe('reconnected');
  });

  it('the fake answers revocation as Salesforce documents it', async () => {
    const org = await createOrg();
    const revoke = (body: string, type = 'application/x-www-form-urlencoded') => fetch(`${org.loginUrl}/services/oauth2/revoke`, { method: 'POST', headers: { 'content-type': type }, body });
    expect((await revoke('token=nope')).status).toBe(400);
    expect(await (await revoke('token=nope')).json()).toMatchObject({ error: 'invalid_token' });
    expect(await (await revoke('')).json()).toMatchObject({ error: 'unsupported_token_type' });
  });
});

describe('who may change an integration', () => {
  it('refuses marketers and viewers every change and preview of an integration, and lets a marketer read its history', async () => {
    const { id } = await connected();
    const sync = await createSync(id);
    for (const role of ['marketer', 'viewer'] as const) {
      for (const [method, path, body] of [
        ['PUT', `/api/connections/${id}/configs/Contact`, { attributes: ['Email'] }],
        ['POST', `/api/connections/${id}/configs/Contact/impact`, { attributes: ['Email'] }],
        ['POST', `/api/connections/${id}/disable`, undefined],
        ['POST', `/api/connections/${id}/enable`, undefined],
        ['POST', `/api/connections/${id}/remove-access`, undefined],
        ['POST', `/api/syncs/${sync.id}/impact`, { settings: settings() }],
        ['PUT', `/api/syncs/${sync.id}`, { settings: settings() }],
      ] as const) {
        expect((await callAs(role, method, path, body)).status, `${role} ${method} ${path}`).toBe(403);
      }
    }
    expect((await call<CrmConnection>('GET', `/api/connections/${id}`)).body.disabledAt).toBeNull();
    expect((await callAs('marketer', 'GET', `/api/connections/${id}/history`)).status).toBe(200);
    expect((await callAs('viewer', 'GET', `/api/connections/${id}/history`)).status).toBe(403);
  });
});
