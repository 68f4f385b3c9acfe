import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Role } from '../../shared/schema/auth.ts';
import type { CrmField } from '../../shared/schema/crm.ts';
import type { CrmUser, ExportProblem, ExportSettingsAnswer, SaveExportSettingsBody } from '../../shared/schema/crmExport.ts';
import app from '../../worker/app.ts';
import { fakeDataverse } from '../servers/dynamics/fakeControls.ts';
import { CookieJar } from './connectors/cookieJar.ts';
import { connect, createOrg } from './connectors/fakeSalesforce.ts';
import { callAs, ok, rows, sendBatch, signedIn, startBody, startImport } from './support/api.ts';

type ErrorAnswer = { error: { code: string; message: string; details: ExportProblem[] } };

/** Salesforce Leads: Email matches and is written, LastName and Company (required on create) filled. */
const salesforceLeads = (extra: Partial<SaveExportSettingsBody['settings']['people']> = {}): SaveExportSettingsBody['settings'] => ({
  people: {
    target: 'lead',
    identifiers: [{ platformField: 'email', crmProperty: 'Email' }],
    fields: [
      { platformField: 'last_name', crmProperty: 'LastName', direction: 'to_crm', overwrite: true, defaultOnCreate: null },
      { platformField: 'company', crmProperty: 'Company', direction: 'two_way', overwrite: false, defaultOnCreate: 'Unknown' },
    ],
    fixed: [{ crmProperty: 'LeadSource', value: 'Web' }],
    exportTime: [],
    engagement: [],
    campaign: { opens: 'Custom_Field_001__c' },
    ...extra,
  },
  companies: null,
  owners: { ownerField: null, users: [], defaultOwnerId: null },
  sensitiveAllowed: [],
});

describe('export settings against the fake Salesforce', () => {
  let connectionId: string;
  const path = () => `/api/connections/${connectionId}/export-settings`;

  beforeAll(async () => {
    connectionId = await connect(await createOrg());
  });

  it('describes what writing needs: required, read-only, text and length', async () => {
    const fields = await ok<CrmField[]>('GET', `/api/connections/${connectionId}/objects/Lead/fields`);
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get('Company')).toMatchObject({ createable: true, updateable: true, requiredOnCreate: true, text: true, maxLength: 255 });
    expect(byName.get('LastName')?.requiredOnCreate).toBe(true);
    expect(byName.get('Status')).toMatchObject({ requiredOnCreate: false });
    expect(byName.get('SystemModstamp')).toMatchObject({ createable: false, updateable: false, text: false });
    const contact = await ok<CrmField[]>('GET', `/api/connections/${connectionId}/objects/Contact/fields`);
    expect(contact.filter((f) => f.requiredOnCreate).map((f) => f.name)).toEqual(['LastName']);
  });

  it('starts empty, saves settings that fit, and hands out the next version', async () => {
    const empty = await ok<ExportSettingsAnswer>('GET', path());
    expect(empty).toMatchObject({ settings: null, version: 0, updatedAt: null, updatedBy: null });
    const saved = await ok<ExportSettingsAnswer>('PUT', path(), { settings: salesforceLeads(), baseVersion: 0 });
    expect(saved.version).toBe(1);
    expect(saved.updatedBy).toBe('Test admin <admin@test.example>');
    expect(saved.settings?.people.fields[1]).toEqual({ platformField: 'company', crmProperty: 'Company', direction: 'two_way', overwrite: false, defaultOnCreate: 'Unknown' });
    expect(await ok<ExportSettingsAnswer>('GET', path())).toEqual(saved);
    // An editor that started from version 0 does not overwrite version 1 unknowingly.
    const stale = await callAs<ErrorAnswer>('admin', 'PUT', path(), { settings: salesforceLeads({ fixed: [] }), baseVersion: 0 });
    expect(stale.status).toBe(409);
    expect((await ok<ExportSettingsAnswer>('GET', path())).settings?.people.fixed).toEqual([{ crmProperty: 'LeadSource', value: 'Web' }]);
  });

  it('answers 422 with every problem at its path, against the live describe, and saves nothing', async () => {
    const before = await ok<ExportSettingsAnswer>('GET', path());
    const answer = await callAs<ErrorAnswer>('admin', 'PUT', path(), {
      settings: salesforceLeads({
        fields: [{ platformField: 'first_name', crmProperty: 'FirstName', direction: 'to_crm', overwrite: true, defaultOnCreate: null }],
        fixed: [
          { crmProperty: 'LeadSource', value: 'Platform' },
          { crmProperty: 'SystemModstamp', value: '2026-01-01' },
        ],
        campaign: { clicks: 'NumberOfEmployees', opens: 'No_Such__c' },
      }),
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('export_settings_invalid');
    expect(answer.body.error.details.map((p) => [p.path.join('.'), p.code])).toEqual([
      ['people.fixed.0.value', 'invalid_value'],
      ['people.fixed.1.crmProperty', 'not_writable'],
      ['people.campaign.clicks', 'metric_not_text'],
      ['people.campaign.opens', 'unknown_property'],
      ['people', 'required_not_covered'],
    ]);
    expect(answer.body.error.details.at(-1)?.message).toBe(
      'Salesforce needs “Last Name” and “Company” to create Leads: map them in Export mapping, give them a fixed value or a default on create.',
    );
    expect(await ok<ExportSettingsAnswer>('GET', path())).toEqual(before);
  });

  it('lists the org’s users for the owner mapping, people only, those who left marked inactive', async () => {
    const users = await ok<CrmUser[]>('GET', `/api/connections/${connectionId}/crm-users`);
    expect(users.map((u) => [u.name, u.active]).sort()).toEqual([
      ['Ada Admin', true],
      ['Former Employee', false],
      ["Seán O'Brien", true],
    ]);
    const colleague = users.find((u) => u.name === "Seán O'Brien");
    const former = users.find((u) => !u.active);
    const admin = users.find((u) => u.name === 'Ada Admin');
    const owners = { ownerField: null, users: [{ platformUserEmail: 'marketer@test.example', crmUserId: colleague?.id ?? '' }], defaultOwnerId: former?.id ?? null };
    const answer = await callAs<ErrorAnswer>('admin', 'PUT', path(), { settings: { ...salesforceLeads(), owners } });
    expect(answer.body.error.details).toEqual([
      { path: ['owners', 'defaultOwnerId'], code: 'unknown_user', message: 'Former Employee is no longer active in Salesforce: records cannot be given to them.' },
    ]);
    const fixed = await ok<ExportSettingsAnswer>('PUT', path(), { settings: { ...salesforceLeads(), owners: { ...owners, defaultOwnerId: admin?.id ?? null } } });
    expect(fixed.settings?.owners.users).toEqual(owners.users);
  });

  it('lets marketers and viewers read the settings but not change them', async () => {
    for (const role of ['marketer', 'viewer'] as const) {
      expect((await callAs<ExportSettingsAnswer>(role, 'GET', path())).status).toBe(200);
      const refused = await callAs<ErrorAnswer>(role, 'PUT', path(), { settings: salesforceLeads() });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    expect((await callAs('keyContact', 'PUT', path(), { settings: salesforceLeads() })).status).toBe(200);
  });

  it('sends a sensitive field only once an admin allowed it, and keeps who allowed it', async () => {
    // An audience whose email column is sensitive makes email a sensitive platform field.
    const started = await startImport(startBody([{ column: 'Email', target: 'email', sensitive: true }, { column: 'Last', target: 'last_name' }], 'Email'));
    await sendBatch(started.id, 0, rows(1, [['ada@example.com', 'Lovelace']]));
    const current = await ok<ExportSettingsAnswer>('GET', path());
    expect(current.sensitiveFields).toContain('email');
    const refused = await callAs<ErrorAnswer>('admin', 'PUT', path(), { settings: salesforceLeads() });
    expect(refused.body.error.details).toEqual([
      {
        path: ['people', 'identifiers', 0, 'platformField'],
        code: 'sensitive_not_allowed',
        message: '“Email” is sensitive: it is sent to Salesforce only when an admin allows it under Sensitive fields.',
      },
    ]);
    const allowed = await ok<ExportSettingsAnswer>('PUT', path(), { settings: { ...salesforceLeads(), sensitiveAllowed: ['email'] }, baseVersion: current.version });
    expect(allowed).toMatchObject({ version: current.version + 1, updatedBy: 'Test admin <admin@test.example>' });
    expect(allowed.settings?.sensitiveAllowed).toEqual(['email']);
    const row = await env.DB.prepare('SELECT version, updated_by, settings FROM export_settings WHERE connection_id = ?').bind(connectionId).first<{ version: number; updated_by: string; settings: string }>();
    expect(row).toMatchObject({ version: allowed.version, updated_by: 'Test admin <admin@test.example>' });
    expect(JSON.parse(row?.settings ?? '{}').sensitiveAllowed).toEqual(['email']);
    // The change history says who let email leave, when, and from what to what.
    const { results } = await env.DB.prepare(
      "SELECT actor_label, subject_kind, subject_id, connection_id, action, before, after FROM change_history WHERE subject_id = ? AND action = 'sensitive_export_enabled'",
    )
      .bind(connectionId)
      .all<Record<string, string>>();
    expect(results).toEqual([
      {
        actor_label: 'Test admin <admin@test.example>',
        subject_kind: 'export_settings',
        subject_id: connectionId,
        connection_id: connectionId,
        action: 'sensitive_export_enabled',
        before: '[]',
        after: '["email"]',
      },
    ]);
    const saves = await env.DB.prepare("SELECT action FROM change_history WHERE subject_kind = 'export_settings' AND subject_id = ? ORDER BY at").bind(connectionId).all<{ action: string }>();
    // Every save is an entry: created once, then updated (two entries may share a millisecond: compared sorted).
    expect(saves.results.map((r) => r.action).sort()).toEqual(['created', 'sensitive_export_enabled', 'updated', 'updated', 'updated']);
  });

  it('stays with its integration when access is removed (integrations are disabled, never deleted)', async () => {
    const other = await connect(await createOrg());
    await ok('PUT', `/api/connections/${other}/export-settings`, { settings: { ...salesforceLeads(), people: { ...salesforceLeads().people, identifiers: [{ platformField: 'last_name', crmProperty: 'LastName' }] } } });
    expect((await ok<ExportSettingsAnswer>('GET', `/api/connections/${other}/export-settings`)).version).toBe(1);
    expect((await callAs('admin', 'DELETE', `/api/connections/${other}`)).status).toBe(404);
    expect((await callAs('admin', 'POST', `/api/connections/${other}/remove-access`)).status).toBeLessThan(300);
    const kept = await ok<ExportSettingsAnswer>('GET', `/api/connections/${other}/export-settings`);
    expect(kept.version).toBe(1);
    expect(kept.settings?.people.identifiers).toEqual([{ platformField: 'last_name', crmProperty: 'LastName' }]);
  });

  it('answers 404 for a connection of no one, and 400 for a body that is not settings', async () => {
    expect((await callAs('admin', 'GET', '/api/connections/nope/export-settings')).status).toBe(404);
    const bad = await callAs<{ error: { code: string; details: { path: unknown[] }[] } }>('admin', 'PUT', path(), { settings: { people: { target: 'person', identifiers: [] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.path.join('.'))).toEqual(expect.arrayContaining(['settings.people.target', 'settings.people.identifiers']));
  });
});

describe('export settings against the fake Dataverse', () => {
  const fakeUrl = inject('dynamicsUrl');
  const tenant = crypto.randomUUID();
  fakeDataverse(fakeUrl, tenant);
  const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl } as Env;
  const browser = new CookieJar();
  const as = async <T,>(role: Role, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const init = body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const res = browser.take(await app.request(path, await signedIn(browser.send(init), role), testEnv));
    const text = await res.text();
    return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null) as T };
  };
  let id = '';

  beforeAll(async () => {
    const start = await as<{ authorizeUrl: string }>('admin', 'POST', '/api/connections/dynamics/authorize', { environmentUrl: fakeUrl, tenant });
    const signIn = await fetch(start.body.authorizeUrl, { redirect: 'manual' });
    const callback = new URL(signIn.headers.get('Location') ?? '');
    const done = browser.take(await app.request(`${callback.pathname}${callback.search}`, await signedIn(browser.send({ method: 'GET' })), testEnv));
    id = new URL(done.headers.get('Location') ?? '', 'http://localhost').searchParams.get('connected') ?? '';
    expect(id).not.toBe('');
  });

  const contacts = (): SaveExportSettingsBody['settings'] => ({
    people: {
      target: 'contact',
      identifiers: [{ platformField: 'phone', crmProperty: 'telephone1' }],
      fields: [{ platformField: 'last_name', crmProperty: 'lastname', direction: 'to_crm', overwrite: true, defaultOnCreate: null }],
      fixed: [{ crmProperty: 'preferredcontactmethodcode', value: 'Email' }],
      exportTime: [],
      engagement: [{ crmProperty: 'donotemail', value: 'No' }],
      campaign: { engagement_status: 'description' },
    },
    companies: { identifier: { platformField: 'company', crmProperty: 'name' }, fields: [], fixed: [] },
    owners: { ownerField: null, users: [], defaultOwnerId: null },
    sensitiveAllowed: [],
  });

  it('describes Dataverse columns for writing: lastname required, modifiedon and fullname read-only', async () => {
    const res = await as<CrmField[]>('admin', 'GET', `/api/connections/${id}/objects/contact/fields`);
    const byName = new Map(res.body.map((f) => [f.name, f]));
    expect(res.body.filter((f) => f.requiredOnCreate).map((f) => f.name)).toEqual(['lastname']);
    expect(byName.get('lastname')).toMatchObject({ createable: true, updateable: true, maxLength: 50, text: true });
    expect(byName.get('modifiedon')).toMatchObject({ createable: false, updateable: false });
    expect(byName.get('fullname')).toMatchObject({ createable: false, updateable: false });
  });

  it('saves contacts with companies as accounts, and refuses what Dataverse would', async () => {
    const saved = await as<ExportSettingsAnswer>('admin', 'PUT', `/api/connections/${id}/export-settings`, { settings: contacts() });
    expect(saved.status).toBe(200);
    expect(saved.body.settings?.companies?.identifier).toEqual({ platformField: 'company', crmProperty: 'name' });
    const wrong = contacts();
    wrong.people.fields = [];
    wrong.people.fixed = [{ crmProperty: 'preferredcontactmethodcode', value: 'Pigeon' }, { crmProperty: 'modifiedon', value: '2026-01-01' }];
    wrong.people.campaign = { opens: 'numberofchildren' };
    const refused = await as<ErrorAnswer>('admin', 'PUT', `/api/connections/${id}/export-settings`, { settings: wrong });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.map((p) => [p.path.join('.'), p.code])).toEqual([
      ['people.fixed.0.value', 'invalid_value'],
      ['people.fixed.1.crmProperty', 'not_writable'],
      ['people.campaign.opens', 'metric_not_text'],
      ['people', 'required_not_covered'],
    ]);
    expect(refused.body.error.details[0]?.message).toBe('“Preferred Method of Contact”: “Pigeon” is not one of its choices (Any, Email, Phone, Fax, Mail).');
    expect(refused.body.error.details[3]?.message).toContain('Dynamics 365 needs “Last Name” to create Contacts');
  });

  it('lists the environment’s users, the disabled one inactive', async () => {
    const users = await as<CrmUser[]>('viewer', 'GET', `/api/connections/${id}/crm-users`);
    expect(users.status).toBe(200);
    expect(users.body.filter((u) => u.active).map((u) => u.name).sort()).toEqual(['# audience-import', 'Nancy Admin']);
    expect(users.body.find((u) => u.name === 'Former Employee')).toMatchObject({ active: false, email: null });
    expect((await as('marketer', 'PUT', `/api/connections/${id}/export-settings`, { settings: contacts() })).status).toBe(403);
  });
});
