import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CrmPreview } from '../../../shared/schema/connections.ts';
import { CrmField, CrmImportConfig, CrmObject, CrmRecordPage } from '../../../shared/schema/crm.ts';
import { tokenCipher } from '../../../worker/connectors/tokenCipher.ts';
import { call, connect, createOrg, type FakeOrgHandle } from './fakeSalesforce.ts';

async function ok<T>(res: Response | Promise<Response>, parse: (v: unknown) => T): Promise<T> {
  const r = await res;
  const body = await r.text();
  if (r.status !== 200) throw new Error(`${r.status}: ${body}`);
  return parse(JSON.parse(body));
}

async function errorOf(res: Response | Promise<Response>): Promise<{ status: number; code: string; message: string; details: { vendorCode?: string } }> {
  const r = await res;
  const body = (await r.json()) as { error: { code: string; message: string; details: { vendorCode?: string } } };
  return { status: r.status, ...body.error };
}

async function connected(request: Parameters<typeof createOrg>[0] = {}): Promise<{ org: FakeOrgHandle; id: string }> {
  const org = await createOrg(request);
  return { org, id: await connect(org) };
}

describe('objects and fields', () => {
  it('lists contacts and leads as leads, accounts as companies, queryable custom objects as custom, nothing else', async () => {
    const { org, id } = await connected();
    const objects = await ok(call(org, `/api/connections/${id}/objects`), (v) => CrmObject.array().parse(v));
    expect(objects).toEqual([
      { name: 'Account', label: 'Account', role: 'company', custom: false },
      { name: 'Contact', label: 'Contact', role: 'lead', custom: false },
      { name: 'Lead', label: 'Lead', role: 'lead', custom: false },
      { name: 'Invoice__c', label: 'Invoice', role: 'custom', custom: true },
    ]);
  });

  it('describes an Account: compound parts offered with compoundOf, compounds and binary fields not offered', async () => {
    const { org, id } = await connected();
    const fields = await ok(call(org, `/api/connections/${id}/objects/Account/fields`), (v) => CrmField.array().parse(v));
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(fields.length).toBeGreaterThan(150);
    expect(byName.get('BillingStreet')).toMatchObject({ name: 'BillingStreet', label: 'Billing Street', type: 'textarea', filterable: true, compoundOf: 'BillingAddress' });
    expect(byName.get('ShippingCountry')?.compoundOf).toBe('ShippingAddress');
    expect(byName.has('BillingAddress')).toBe(false);
    expect(byName.has('ShippingAddress')).toBe(false);
    expect(byName.has('Logo__c')).toBe(false);
    expect(byName.get('Name')?.compoundOf).toBeUndefined();
    expect(byName.get('Industry')?.options?.map((o) => o.value)).toContain('Technology');
  });

  it('describes a Contact: Name is offered as its parts, picklists only with their active values', async () => {
    const { org, id } = await connected();
    const fields = await ok(call(org, `/api/connections/${id}/objects/Contact/fields`), (v) => CrmField.array().parse(v));
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(fields.length).toBeGreaterThan(250);
    expect(byName.has('Name')).toBe(false);
    expect(byName.get('FirstName')?.compoundOf).toBe('Name');
    expect(byName.get('LastName')?.compoundOf).toBe('Name');
    expect(byName.get('MailingCity')?.compoundOf).toBe('MailingAddress');
    expect(byName.get('LeadSource')?.options?.map((o) => o.label)).toEqual(['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other']);
    expect(byName.get('Email')?.type).toBe('email');
    expect(byName.get('Description')?.filterable).toBe(false);
  });

  it('answers an unknown object with Salesforce’s NOT_FOUND as a 404', async () => {
    const { org, id } = await connected();
    const e = await errorOf(call(org, `/api/connections/${id}/objects/Nope__c/fields`));
    expect(e).toMatchObject({ status: 404, code: 'crm_error', details: { vendorCode: 'NOT_FOUND' } });
    expect((await errorOf(call(org, `/api/connections/${id}/objects/Bad%20Name/fields`))).code).toBe('validation_failed');
  });
});

describe('preview and pull', () => {
  it('previews 20 records with the total count, filters applied with their values escaped', async () => {
    const { org, id } = await connected({
      contacts: 300,
      records: {
        Contact: [
          { FirstName: 'Conan', LastName: "O'Brien", Email: 'conan@example.com' },
          { FirstName: '50%_off', LastName: "O'Brien", Email: null },
          { FirstName: '50 percent', LastName: 'Other', Email: null },
        ],
      },
    });
    const all = await ok(call(org, `/api/connections/${id}/objects/Contact/preview`, { json: { attributes: ['Id', 'FirstName', 'LastName', 'Email'] } }), (v) => CrmPreview.parse(v));
    expect(all.total).toBe(303);
    expect(all.records).toHaveLength(20);
    expect(Object.keys(all.records[0] ?? {})).toEqual(['Id', 'FirstName', 'LastName', 'Email']);

    const quoted = await ok(
      call(org, `/api/connections/${id}/objects/Contact/preview`, {
        json: { attributes: ['FirstName', 'LastName'], filters: [{ field: 'LastName', operator: 'equals', value: "O'Brien" }] },
      }),
      (v) => CrmPreview.parse(v),
    );
    expect(quoted).toEqual({ total: 2, records: [{ FirstName: 'Conan', LastName: "O'Brien" }, { FirstName: '50%_off', LastName: "O'Brien" }] });

    const wildcard = await ok(
      call(org, `/api/connections/${id}/objects/Contact/preview`, {
        json: { attributes: ['FirstName'], filters: [{ field: 'FirstName', operator: 'contains', value: '0%_' }] },
      }),
      (v) => CrmPreview.parse(v),
    );
    expect(wildcard).toEqual({ total: 1, records: [{ FirstName: '50%_off' }] });

    const queries = (await org.stats()).queries;
    expect(queries).toContain("SELECT FirstName, LastName FROM Contact WHERE LastName = 'O\\'Brien' LIMIT 20");
    expect(queries).toContain("SELECT COUNT() FROM Contact WHERE FirstName LIKE '%0\\%\\_%'");
  });

  it('refuses filters that do not fit the field, naming the field', async () => {
    const { org, id } = await connected();
    const e = await errorOf(
      call(org, `/api/connections/${id}/objects/Contact/preview`, { json: { attributes: ['Id'], filters: [{ field: 'Birthdate', operator: 'greater_than', value: "1990' OR Id != '" }] } }),
    );
    expect(e.status).toBe(400);
    expect(e.code).toBe('crm_error');
    expect(e.message).toContain('Birthdate');
    const unknown = await errorOf(call(org, `/api/connections/${id}/objects/Contact/preview`, { json: { attributes: ['Id', 'Secret__c'] } }));
    expect(unknown).toMatchObject({ status: 400, code: 'crm_error' });
    // Refused before reaching Salesforce: the only query it saw is the connect step's Organization lookup.
    expect((await org.stats()).queries.filter((q) => q.includes('FROM Contact'))).toEqual([]);
    const invalid = await errorOf(call(org, `/api/connections/${id}/objects/Contact/preview`, { json: { attributes: [] } }));
    expect(invalid).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('pulls more than 5,000 records page by page (2,000 a page), each once, and records the import', async () => {
    const { org, id } = await connected({ contacts: 5_150 });
    const attributes = ['Id', 'FirstName', 'LastName', 'Email', 'MailingCountry', 'HasOptedOutOfEmail', 'MailingLatitude', 'LeadSource'];
    const ids = new Set<string>();
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page: CrmRecordPage = await ok(call(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes, cursor } }), (v) => CrmRecordPage.parse(v));
      expect(page.total).toBe(5_150);
      sizes.push(page.records.length);
      for (const r of page.records) ids.add(String(r.Id));
      cursor = page.nextCursor;
      if (cursor) expect(cursor).toMatch(/^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]+-\d+$/);
    } while (cursor);
    expect(sizes).toEqual([2_000, 2_000, 1_150]);
    expect(ids.size).toBe(5_150);
    const list = (await (await call(org, '/api/connections')).json()) as { id: string; lastImportAt: string | null }[];
    expect(list.find((c) => c.id === id)?.lastImportAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('resumes after a page dropped mid-response at that page, without duplicates or gaps', async () => {
    const { org, id } = await connected({ contacts: 4_500 });
    const pull = (cursor: string | null) => call(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes: ['Id', 'LastName'], cursor } });
    const seen: string[] = [];
    const first = await ok(pull(null), (v) => CrmRecordPage.parse(v));
    seen.push(...first.records.map((r) => String(r.Id)));
    await org.faults({ dropPages: 1 });
    const dropped = await errorOf(pull(first.nextCursor));
    expect(dropped).toMatchObject({ status: 503, code: 'crm_unavailable' });
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await ok(pull(cursor), (v) => CrmRecordPage.parse(v));
      seen.push(...page.records.map((r) => String(r.Id)));
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(4_500);
    expect(new Set(seen).size).toBe(4_500);
  });

  it('refuses a cursor that is not a Salesforce query locator', async () => {
    const { org, id } = await connected({ contacts: 5 });
    for (const cursor of ['https://attacker.example/x', '/services/data/v62.0/sobjects/User', '/services/data/v62.0/query/01gAAAAAAAAAAAAAAA-1/../../sobjects']) {
      const e = await errorOf(call(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes: ['Id'], cursor } }));
      expect(e).toMatchObject({ status: 400, code: 'crm_error' });
    }
  });
});

describe('sessions', () => {
  it('refreshes an expired session once, transparently, and stores the new access token sealed', async () => {
    const { org, id } = await connected({ contacts: 30 });
    await org.faults({ expireSessions: true });
    const page = await ok(call(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes: ['Id'] } }), (v) => CrmRecordPage.parse(v));
    expect(page.records).toHaveLength(30);
    const stats = await org.stats();
    expect(stats.tokenGrants.refresh_token).toBe(1);
    const row = await env.DB.prepare('SELECT access_token_sealed FROM crm_connections WHERE id = ?').bind(id).first<{ access_token_sealed: string }>();
    const latest = stats.issuedAccessTokens.at(-1) ?? '';
    expect(tokenCipher(env).open(row?.access_token_sealed ?? '')).toBe(latest);
    expect(row?.access_token_sealed).not.toContain(latest);
    // The stored token is the one used next: no second refresh.
    await ok(call(org, `/api/connections/${id}/objects`), (v) => v);
    expect((await org.stats()).tokenGrants.refresh_token).toBe(1);
  });

  it('marks the connection needs_reauth when the refresh token is revoked, and stops calling Salesforce', async () => {
    const { org, id } = await connected();
    await org.faults({ revokeRefreshTokens: true });
    const e = await errorOf(call(org, `/api/connections/${id}/objects`));
    expect(e).toMatchObject({ status: 409, code: 'crm_auth_failed', details: { vendorCode: 'invalid_grant' } });
    expect(e.message).toMatch(/reconnect/i);
    const list = (await (await call(org, '/api/connections')).json()) as { id: string; status: string }[];
    expect(list.find((c) => c.id === id)?.status).toBe('needs_reauth');

    const before = (await org.stats()).apiRequests;
    expect((await errorOf(call(org, `/api/connections/${id}/objects/Contact/fields`))).code).toBe('crm_auth_failed');
    expect((await org.stats()).apiRequests).toBe(before);

    // Logging in again brings the same connection back.
    expect(await connect(org, { loginHost: 'production', connectionId: id })).toBe(id);
    await ok(call(org, `/api/connections/${id}/objects`), (v) => CrmObject.array().parse(v));
  });
});

describe('saved import configs and deletion', () => {
  it('saves one config per object, updates it in place, and lists them', async () => {
    const { org, id } = await connected();
    const body = { attributes: ['FirstName', 'LastName', 'Email'], filters: [{ field: 'LeadSource', operator: 'equals', value: 'Web' }], templateId: null };
    const saved = await ok(call(org, `/api/connections/${id}/configs/Contact`, { method: 'PUT', json: body }), (v) => CrmImportConfig.parse(v));
    expect(saved).toMatchObject({ connectionId: id, object: 'Contact', attributes: body.attributes, filters: body.filters, templateId: null });
    const updated = await ok(call(org, `/api/connections/${id}/configs/Contact`, { method: 'PUT', json: { attributes: ['Email'], templateId: 'tpl-1' } }), (v) => CrmImportConfig.parse(v));
    expect(updated).toMatchObject({ id: saved.id, attributes: ['Email'], filters: [], templateId: 'tpl-1' });
    expect(await ok(call(org, `/api/connections/${id}/configs/Contact`), (v) => CrmImportConfig.parse(v))).toEqual(updated);
    expect((await errorOf(call(org, `/api/connections/${id}/configs/Lead`))).status).toBe(404);
    expect(await ok(call(org, `/api/connections/${id}/configs`), (v) => CrmImportConfig.array().parse(v))).toEqual([updated]);
    const bad = await errorOf(call(org, `/api/connections/${id}/configs/Contact`, { method: 'PUT', json: { attributes: ['Email'], filters: [{ field: 'x;y', operator: 'equals' }] } }));
    expect(bad).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('never deletes a connection: DELETE is no route, disabling keeps it and its configs', async () => {
    const { org, id } = await connected();
    await call(org, `/api/connections/${id}/configs/Contact`, { method: 'PUT', json: { attributes: ['Email'] } });
    expect((await call(org, `/api/connections/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await call(org, `/api/connections/${id}/disable`, { method: 'POST' })).status).toBe(200);
    expect((await call(org, `/api/connections/${id}`)).status).toBe(200);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM crm_import_configs WHERE connection_id = ?').bind(id).first('n')).toBe(1);
  });
});

describe('workspace scoping', () => {
  it('never shows, reads, changes or deletes a connection of another workspace', async () => {
    const { org, id } = await connected({ contacts: 3 });
    await env.DB.prepare("INSERT OR IGNORE INTO workspaces (id, name) VALUES ('other', 'Other')").run();
    // The same org connected by another workspace, with working tokens: only scoping keeps it out of reach.
    const theirs = 'conn-of-other-workspace';
    await env.DB.prepare(
      `INSERT INTO crm_connections (id, workspace_id, kind, login_url, instance_url, org_id, org_name, user_id, user_name, status,
         access_token_sealed, refresh_token_sealed, created_at, updated_at)
       SELECT ?, 'other', kind, login_url, instance_url, org_id, 'Their org', user_id, user_name, status, access_token_sealed, refresh_token_sealed, created_at, updated_at
       FROM crm_connections WHERE id = ?`,
    )
      .bind(theirs, id)
      .run();
    await env.DB.prepare(
      "INSERT INTO crm_import_configs (id, workspace_id, connection_id, object, attributes, filters, template_id, updated_at) VALUES ('cfg-other', 'other', ?, 'Contact', '[\"Id\"]', '[]', NULL, 'x')",
    )
      .bind(theirs)
      .run();

    const list = (await (await call(org, '/api/connections')).json()) as { id: string }[];
    expect(list.map((c) => c.id)).not.toContain(theirs);
    const before = (await org.stats()).apiRequests;
    for (const [path, init] of [
      [`/api/connections/${theirs}`, {}],
      [`/api/connections/${theirs}/objects`, {}],
      [`/api/connections/${theirs}/objects/Contact/fields`, {}],
      [`/api/connections/${theirs}/objects/Contact/preview`, { json: { attributes: ['Id'] } }],
      [`/api/connections/${theirs}/objects/Contact/pull`, { json: { attributes: ['Id'] } }],
      [`/api/connections/${theirs}/configs`, {}],
      [`/api/connections/${theirs}/configs/Contact`, {}],
      [`/api/connections/${theirs}/configs/Contact`, { method: 'PUT', json: { attributes: ['Id'] } }],
      [`/api/connections/${theirs}/disable`, { method: 'POST' }],
      [`/api/connections/${theirs}/remove-access`, { method: 'POST' }],
      [`/api/connections/${theirs}/history`, {}],
      [`/api/connections/${theirs}/configs/Contact/impact`, { json: { attributes: ['Id'] } }],
    ] as const) {
      const res = await call(org, path, init);
      expect(res.status, `${init && 'method' in init ? init.method : 'GET'} ${path}`).toBe(404);
    }
    expect((await org.stats()).apiRequests).toBe(before);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM crm_connections WHERE workspace_id = 'other'").first('n')).toBe(1);
    expect(await env.DB.prepare("SELECT attributes FROM crm_import_configs WHERE id = 'cfg-other'").first('attributes')).toBe('["Id"]');
  });
});
