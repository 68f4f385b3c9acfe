import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { CrmField, CrmObject, CrmRecordPage } from '../../../shared/schema/crm.ts';
import { requestAsAdmin } from '../support/api.ts';
import { openDynamicsConnector } from '../../../worker/connectors/dynamics/index.ts';
import { fakeDataverse } from '../../servers/dynamics/fakeControls.ts';
import { buildEnvironment } from '../../servers/dynamics/tables.ts';
import { CookieJar } from './cookieJar.ts';

// The generic /api/connections routes reading a Dynamics 365 connection made by a signed-in admin (delegated
// tokens with a refresh token), through the fake Dataverse.
const fakeUrl = inject('dynamicsUrl');
const tenant = crypto.randomUUID();
const fake = fakeDataverse(fakeUrl, tenant);
const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl };
const oracle = buildEnvironment({ contacts: 12_345, accounts: 400, leads: 300 });
const accounts = oracle.tables.get('account')?.rows ?? [];

// The admin's browser: the sign-in cookie set by authorize goes back with the callback.
const browser = new CookieJar();
const call = async (method: string, path: string, body?: unknown) =>
  browser.take(
    await requestAsAdmin(path, browser.send(body === undefined ? { method } : { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }), testEnv),
  );

let id: string;

beforeAll(async () => {
  const start = await call('POST', '/api/connections/dynamics/authorize', { environmentUrl: fakeUrl, tenant });
  const signIn = await fetch(((await start.json()) as { authorizeUrl: string }).authorizeUrl, { redirect: 'manual' });
  const callback = new URL(signIn.headers.get('Location') ?? '');
  const done = await call('GET', `${callback.pathname}${callback.search}`);
  id = new URL(done.headers.get('Location') ?? '', 'http://localhost').searchParams.get('connected') ?? '';
  expect(id).not.toBe('');
});

describe('reading through /api/connections', () => {
  it('lists the connection without any token', async () => {
    const res = await call('GET', '/api/connections');
    const list = (await res.json()) as Record<string, unknown>[];
    expect(list).toEqual([expect.objectContaining({ id, kind: 'dynamics', instanceUrl: fakeUrl, userName: 'Nancy Admin', status: 'connected' })]);
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(['accessRemovedAt', 'createdAt', 'disabledAt', 'id', 'instanceUrl', 'kind', 'lastImportAt', 'orgName', 'status', 'userName']);
  });

  it('offers tables and the account columns the default picks need', async () => {
    const objects = (await (await call('GET', `/api/connections/${id}/objects`)).json()) as CrmObject[];
    expect(objects.map((o) => o.name).slice(0, 3)).toEqual(['contact', 'lead', 'account']);
    const fields = (await (await call('GET', `/api/connections/${id}/objects/account/fields`)).json()) as CrmField[];
    const names = new Set(fields.map((f) => f.name));
    for (const n of ['name', 'websiteurl', 'address1_line1', 'address1_city', 'address1_country', 'description', 'industrycode', 'new_yearfounded']) expect(names.has(n)).toBe(true);
    expect(fields.find((f) => f.name === 'industrycode')?.options?.[0]).toEqual({ value: '1', label: 'Accounting' });
  });

  it('previews 20 accounts with the industry label and counts the filtered selection', async () => {
    const filters = [{ field: 'name', operator: 'contains', value: '50% Off' }];
    const res = await call('POST', `/api/connections/${id}/objects/account/preview`, { attributes: ['name', 'industrycode', 'new_yearfounded'], filters });
    expect(res.status).toBe(200);
    const preview = (await res.json()) as { records: Record<string, string | null>[]; total: number };
    const expected = accounts.filter((a) => String(a.name).includes('50% Off'));
    expect(preview.total).toBe(expected.length);
    expect(preview.records).toHaveLength(Math.min(20, expected.length));
    const first = expected[0] as Record<string, unknown>;
    expect(preview.records[0]).toEqual({
      name: first.name,
      industrycode: first.industrycode === null ? null : (oracle.tables.get('account')?.attributes.find((a) => a.LogicalName === 'industrycode')?.options?.find((o) => o.Value === first.industrycode)?.Label.UserLocalizedLabel?.Label ?? null),
      new_yearfounded: first.new_yearfounded === null ? null : String(first.new_yearfounded),
    });
  });

  it('pulls page by page with the cursor, and marks the connection imported at the end', async () => {
    let cursor: string | null = null;
    const ids: (string | null)[] = [];
    do {
      const res = await call('POST', `/api/connections/${id}/objects/contact/pull`, { attributes: ['contactid'], filters: [], cursor });
      expect(res.status).toBe(200);
      const page = (await res.json()) as CrmRecordPage;
      ids.push(...page.records.map((r) => r.contactid ?? null));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(12_345);
    expect(new Set(ids).size).toBe(12_345);
    const [connection] = (await (await call('GET', '/api/connections')).json()) as { lastImportAt: string | null }[];
    expect(connection?.lastImportAt).not.toBeNull();
  });

  it('answers a bad filter value as a 400 naming the column, before Dataverse is asked', async () => {
    const res = await call('POST', `/api/connections/${id}/objects/contact/preview`, {
      attributes: ['lastname'],
      filters: [{ field: 'numberofchildren', operator: 'equals', value: "1 or 1 eq 1" }],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('numberofchildren');
  });
});

describe('tokens', () => {
  it('renews ahead of expiry with the refresh token, without a failed call first', async () => {
    await env.DB.prepare('UPDATE crm_connections SET access_token_expires_at = ? WHERE id = ?').bind('2000-01-01T00:00:00.000Z', id).run();
    await fake.control({ clearLog: true });
    expect((await call('GET', `/api/connections/${id}/objects`)).status).toBe(200);
    const log = await fake.log();
    expect(log.tokenRequests.map((t) => t.grant_type)).toEqual(['refresh_token']);
    expect(log.requests.every((r) => r.status === 200)).toBe(true);
    const row = await env.DB.prepare('SELECT access_token_expires_at FROM crm_connections WHERE id = ?').bind(id).first<{ access_token_expires_at: string }>();
    expect(Date.parse(row?.access_token_expires_at ?? '')).toBeGreaterThan(Date.now());
  });

  it('refreshes once on a 401 and retries each refused call', async () => {
    await fake.control({ clearLog: true, expireAccessTokens: true });
    const res = await call('POST', `/api/connections/${id}/objects/contact/preview`, { attributes: ['lastname'], filters: [] });
    expect(res.status).toBe(200);
    const log = await fake.log();
    expect(log.tokenRequests.map((t) => t.grant_type)).toEqual(['refresh_token']);
    // Metadata is read in parallel: each call that met the 401 is retried once, all on the one renewed token.
    const refused = log.requests.filter((r) => r.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(log.requests.filter((x) => x.url === r.url).map((x) => x.status)).toEqual([401, 200]);
  });

  it('marks the connection needs_reauth when the refresh token is revoked, and says so', async () => {
    await fake.control({ expireAccessTokens: true, revokeRefreshTokens: true });
    const res = await call('GET', `/api/connections/${id}/objects`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; details: { vendorCode: string; vendorMessage: string } } };
    expect(body.error.code).toBe('crm_auth_failed');
    expect(body.error.details).toMatchObject({ vendorCode: 'invalid_grant' });
    expect(body.error.details.vendorMessage).toContain('AADSTS50173');
    const [connection] = (await (await call('GET', '/api/connections')).json()) as { status: string }[];
    expect(connection?.status).toBe('needs_reauth');
    // Later calls are refused at once, without bothering Microsoft again.
    await fake.control({ clearLog: true });
    expect((await call('GET', `/api/connections/${id}/objects`)).status).toBe(409);
    expect((await fake.log()).tokenRequests).toEqual([]);
  });

  it('comes back to connected when the admin signs in again, as the same connection', async () => {
    const start = await call('POST', '/api/connections/dynamics/authorize', { environmentUrl: fakeUrl, tenant });
    const signIn = await fetch(((await start.json()) as { authorizeUrl: string }).authorizeUrl, { redirect: 'manual' });
    const callback = new URL(signIn.headers.get('Location') ?? '');
    const done = await call('GET', `${callback.pathname}${callback.search}`);
    expect(new URL(done.headers.get('Location') ?? '', 'http://localhost').searchParams.get('connected')).toBe(id);
    const list = (await (await call('GET', '/api/connections')).json()) as { id: string; status: string }[];
    expect(list).toEqual([expect.objectContaining({ id, status: 'connected' })]);
    expect((await call('GET', `/api/connections/${id}/objects`)).status).toBe(200);
  });

  it('does not open a connection from another workspace', async () => {
    expect(await openDynamicsConnector(testEnv, 'another-workspace', id)).toBeNull();
    expect((await openDynamicsConnector(testEnv, 'default', id))?.connection.id).toBe(id);
  });
});
