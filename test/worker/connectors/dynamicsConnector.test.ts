import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CrmFilter, CrmRecordPage } from '../../../shared/schema/crm.ts';
import { requestAsAdmin } from '../support/api.ts';
import { CrmError } from '../../../worker/connectors/connector.ts';
import { openDynamicsConnector, type DynamicsConnector } from '../../../worker/connectors/dynamics/index.ts';
import { crmFailure } from './connectorContract.ts';
import { fakeDataverse } from '../../servers/dynamics/fakeControls.ts';
import { buildEnvironment } from '../../servers/dynamics/tables.ts';

const fakeUrl = inject('dynamicsUrl');
const tenant = crypto.randomUUID();
const fake = fakeDataverse(fakeUrl, tenant);
const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl };
// The fake's data, rebuilt here as the oracle for counts and contents (same generator, same sizes).
const oracle = buildEnvironment({ contacts: 12_345, accounts: 400, leads: 300 });
const contacts = oracle.tables.get('contact')?.rows ?? [];

const COUNT_CAP = 5000; // where Dataverse's $count stops
const RETRY = { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 30_000 };
// The jitter at its top: each wait is exactly the backoff ceiling, so the test can state it.
const random = () => 1;
let sleeps: number[] = [];
// Waits are configuration; here they are recorded instead of slept, so the test can read what was asked for.
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

let connectionId: string;
let connector: DynamicsConnector;

async function open(): Promise<DynamicsConnector> {
  const opened = await openDynamicsConnector(testEnv, 'default', connectionId, { retry: RETRY, sleep, random });
  if (!opened) throw new Error('connection not found');
  return opened.connector;
}

async function pullAll(c: DynamicsConnector, fields: string[], filters: CrmFilter[] = []): Promise<CrmRecordPage['records']> {
  const records: CrmRecordPage['records'] = [];
  let cursor: string | null = null;
  do {
    const page = await c.page('contact', fields, filters, cursor);
    records.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return records;
}

const caught = crmFailure;

beforeAll(async () => {
  const res = await requestAsAdmin(
    '/api/connections/dynamics/app',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ environmentUrl: fakeUrl, tenant }) },
    testEnv,
  );
  expect(res.status).toBe(201);
  connectionId = ((await res.json()) as { id: string }).id;
});

beforeEach(async () => {
  sleeps = [];
  await fake.control({ clearLog: true, clearFaults: true });
  connector = await open();
});

describe('metadata', () => {
  it('lists contacts, leads and accounts first, then custom tables, and no system tables', async () => {
    const objects = await connector.listObjects();
    expect(objects.slice(0, 3)).toEqual([
      { name: 'contact', label: 'Contact', role: 'lead', custom: false },
      { name: 'lead', label: 'Lead', role: 'lead', custom: false },
      { name: 'account', label: 'Account', role: 'company', custom: false },
    ]);
    expect(objects).toContainEqual({ name: 'new_membership', label: 'Membership', role: 'custom', custom: true });
    expect(objects.map((o) => o.name)).not.toContain('systemuser');
    expect(objects.map((o) => o.name)).not.toContain('new_membership_contact');
  });

  it('describes hundreds of contact columns with choice labels, formats, lookups and address parts', async () => {
    const fields = await connector.describe('contact');
    expect(fields.length).toBeGreaterThan(250);
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get('gendercode')).toMatchObject({ type: 'picklist', label: 'Gender', options: [{ value: '1', label: 'Male' }, { value: '2', label: 'Female' }] });
    expect(byName.get('emailaddress1')).toMatchObject({ type: 'email', label: 'Email' });
    expect(byName.get('mobilephone')?.type).toBe('phone');
    expect(byName.get('parentcustomerid')).toMatchObject({ type: 'customer', label: 'Company Name' });
    expect(byName.get('address1_city')).toMatchObject({ compoundOf: 'address1_composite' });
    for (const hidden of ['parentcustomeridname', 'owneridtype', 'entityimage', 'entityimageid', 'address1_composite']) expect(byName.has(hidden)).toBe(false);
    expect(new Set(fields.map((f) => f.name)).size).toBe(fields.length);
  });

  it("keeps Dataverse's error code when a table does not exist", async () => {
    const error = await caught(connector.describe('nosuchtable'));
    expect(error.code).toBe('crm_error');
    expect(error.vendorCode).toBe('0x80040217');
    expect(error.status).toBe(404);
  });
});

describe('filters, preview and count', () => {
  it('matches names with an apostrophe exactly (quotes doubled, not concatenated)', async () => {
    const filters: CrmFilter[] = [{ field: 'lastname', operator: 'equals', value: "O'Brien" }];
    const expected = contacts.filter((c) => c.lastname === "O'Brien");
    expect(expected.length).toBeGreaterThan(100);
    expect(await connector.count('contact', filters)).toBe(expected.length);
    const records = await pullAll(connector, ['contactid', 'lastname'], filters);
    expect(records.map((r) => r.contactid)).toEqual(expected.map((c) => c.contactid));
    expect(new Set(records.map((r) => r.lastname))).toEqual(new Set(["O'Brien"]));
  });

  it('treats %, _ and quotes in contains/starts_with as plain text', async () => {
    const underscore = await pullAll(connector, ['jobtitle'], [{ field: 'jobtitle', operator: 'contains', value: 'IT_Admin' }]);
    expect(underscore.length).toBe(contacts.filter((c) => c.jobtitle === 'IT_Admin').length);
    expect(new Set(underscore.map((r) => r.jobtitle))).toEqual(new Set(['IT_Admin']));
    const percent = await pullAll(connector, ['jobtitle'], [{ field: 'jobtitle', operator: 'starts_with', value: 'Head of 100%' }]);
    expect(new Set(percent.map((r) => r.jobtitle))).toEqual(new Set(['Head of 100% Growth']));
    const quoted = await connector.count('contact', [{ field: 'lastname', operator: 'starts_with', value: "D'A" }]);
    expect(quoted).toBe(contacts.filter((c) => String(c.lastname).startsWith("D'A")).length);
  });

  it('filters choices by label, lookups by emptiness, numbers and dates by type', async () => {
    const filters: CrmFilter[] = [
      { field: 'gendercode', operator: 'equals', value: 'Female' },
      { field: 'parentcustomerid', operator: 'is_not_empty', value: '' },
      { field: 'numberofchildren', operator: 'greater_than', value: '2' },
      { field: 'createdon', operator: 'less_than', value: '2021-01-01' },
    ];
    const expected = contacts.filter(
      (c) => c.gendercode === 2 && c.parentcustomerid !== null && Number(c.numberofchildren) > 2 && Date.parse(String(c.createdon)) < Date.parse('2021-01-01T00:00:00Z'),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(await connector.count('contact', filters)).toBe(expected.length);
  });

  it('previews 20 rows with labels for choices and lookup names, and counts the whole selection', async () => {
    const fields = ['firstname', 'lastname', 'emailaddress1', 'gendercode', 'parentcustomerid', 'new_interests', 'donotemail', 'numberofchildren', 'birthdate'];
    const preview = await connector.firstRecords('contact', fields, [], 20);
    expect(preview.records).toHaveLength(20);
    expect(preview.nextCursor).toBeNull();
    const accountNames = new Map((oracle.tables.get('account')?.rows ?? []).map((a) => [a.accountid, a.name]));
    preview.records.forEach((record, i) => {
      const source = contacts[i] as Record<string, unknown>;
      expect(Object.keys(record).sort()).toEqual([...fields].sort());
      expect(record.gendercode).toBe(source.gendercode === null ? null : source.gendercode === 1 ? 'Male' : 'Female');
      expect(record.parentcustomerid).toBe(source.parentcustomerid === null ? null : (accountNames.get(source.parentcustomerid) as string));
      expect(record.numberofchildren).toBe(String(source.numberofchildren));
      expect(record.donotemail).toBe(source.donotemail ? 'Yes' : 'No');
      expect(record.emailaddress1).toBe(source.emailaddress1);
    });
    expect(await connector.count('contact', [])).toBe(contacts.length);
    const log = await fake.log();
    expect(log.requests.some((r) => r.url.includes('%24top=20'))).toBe(true);
  });

  it('counts past the aggregate limit with the table total when unfiltered, and a lower bound when filtered', async () => {
    await fake.control({ aggregateLimit: 10_000 });
    try {
      expect(await connector.count('contact', [])).toBe(contacts.length);
      expect((await fake.log()).requests.some((r) => r.url.startsWith('/api/data/v9.2/RetrieveTotalRecordCount'))).toBe(true);
      const broad: CrmFilter[] = [{ field: 'lastname', operator: 'is_not_empty', value: '' }];
      expect(contacts.filter((c) => c.lastname !== null).length).toBeGreaterThan(10_000);
      expect(await connector.count('contact', broad)).toBe(50_000);
      // Under the limit the aggregate is exact.
      const narrow: CrmFilter[] = [{ field: 'numberofchildren', operator: 'less_than', value: '3' }];
      const few = contacts.filter((c) => Number(c.numberofchildren) < 3).length;
      expect(few).toBeGreaterThan(COUNT_CAP);
      expect(few).toBeLessThan(10_000);
      expect(await connector.count('contact', narrow)).toBe(few);
    } finally {
      await fake.control({ aggregateLimit: 50_000 });
    }
  });

  it('refuses columns the table does not have before calling Dataverse', async () => {
    const error = await caught(connector.page('contact', ['lastname', 'parentcustomeridname'], [], null));
    expect(error.message).toContain('parentcustomeridname');
    expect((await fake.log()).requests.filter((r) => r.url.startsWith('/api/data/v9.2/contacts'))).toHaveLength(0);
  });
});

describe('full pull', () => {
  it('pulls more than 10,000 contacts across 5,000-row pages, each exactly once', async () => {
    const records = await pullAll(connector, ['contactid', 'emailaddress1', 'gendercode']);
    expect(records).toHaveLength(contacts.length);
    expect(new Set(records.map((r) => r.contactid)).size).toBe(contacts.length);
    expect(records.map((r) => r.contactid)).toEqual(contacts.map((c) => c.contactid));
    const pages = (await fake.log()).requests.filter((r) => r.url.startsWith('/api/data/v9.2/contacts'));
    expect(pages).toHaveLength(Math.ceil(contacts.length / 5000));
    for (const p of pages) expect(p.prefer).toContain('odata.maxpagesize=5000');
    for (const p of pages) expect(p.prefer).toContain('OData.Community.Display.V1.FormattedValue');
  });

  it('resumes at the page that failed, without duplicates or gaps', async () => {
    const first = await connector.page('contact', ['contactid'], [], null);
    expect(first.nextCursor).not.toBeNull();
    await fake.control({ dropPage: { page: 2, times: RETRY.retries + 1 } });
    const dropped = await caught(connector.page('contact', ['contactid'], [], first.nextCursor));
    expect(dropped.code).toBe('crm_unavailable');

    // Later (another request, another connector instance), the stored cursor picks up where it stopped.
    const resumed = await open();
    const records = [...first.records];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await resumed.page('contact', ['contactid'], [], cursor);
      records.push(...page.records);
      cursor = page.nextCursor;
    }
    expect(records.map((r) => r.contactid)).toEqual(contacts.map((c) => c.contactid));
  });

  it('refuses a cursor that points anywhere but this environment', async () => {
    for (const cursor of ['https://evil.example.com/api/data/v9.2/contacts?$skiptoken=x', `${fakeUrl}/api/data/v9.2/accounts?$skiptoken=x`, 'not a url']) {
      const error = await caught(connector.page('contact', ['contactid'], [], cursor));
      expect(error.code).toBe('crm_error');
    }
  });
});

describe('service protection and failures', () => {
  it('waits the Retry-After of a 429, then carries on', async () => {
    await fake.control({ fail: { status: 429, retryAfter: 7, count: 1, match: 'contacts' } });
    const page = await connector.firstRecords('contact', ['lastname'], [], 5);
    expect(page.records).toHaveLength(5);
    expect(sleeps).toEqual([7_000]);
    expect((await fake.log()).requests.filter((r) => r.url.startsWith('/api/data/v9.2/contacts')).map((r) => r.status)).toEqual([429, 200]);
  });

  it('does not wait out a Retry-After longer than configured: rate limited, with Dataverse code', async () => {
    await fake.control({ fail: { status: 429, retryAfter: 300, count: 1, match: 'contacts' } });
    const error = await caught(connector.firstRecords('contact', ['lastname'], [], 5));
    expect(error).toMatchObject({ code: 'crm_rate_limited', vendorCode: '0x80072322', status: 429 });
    expect(sleeps).toEqual([]);
  });

  it('retries 5xx with bounded exponential backoff', async () => {
    await fake.control({ fail: { status: 503, count: 2, match: 'contacts' } });
    const page = await connector.firstRecords('contact', ['lastname'], [], 3);
    expect(page.records).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up after the configured retries with crm_unavailable', async () => {
    await fake.control({ fail: { status: 503, count: 10, match: 'contacts' } });
    const error = await caught(connector.firstRecords('contact', ['lastname'], [], 3));
    expect(error).toMatchObject({ code: 'crm_unavailable', vendorCode: '0x80040216', status: 503 });
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('renews an expired token once (client credentials) and stores the new one', async () => {
    const before = await env.DB.prepare('SELECT access_token_sealed FROM crm_connections WHERE id = ?').bind(connectionId).first<{ access_token_sealed: string }>();
    await fake.control({ expireAccessTokens: true });
    const page = await connector.firstRecords('contact', ['lastname'], [], 2);
    expect(page.records).toHaveLength(2);
    const log = await fake.log();
    expect(log.tokenRequests.map((t) => t.grant_type)).toEqual(['client_credentials']);
    expect(log.requests.map((r) => r.status).filter((s) => s === 401).length).toBeGreaterThan(0);
    const after = await env.DB.prepare('SELECT access_token_sealed, status FROM crm_connections WHERE id = ?').bind(connectionId).first<{ access_token_sealed: string; status: string }>();
    expect(after?.access_token_sealed).not.toBe(before?.access_token_sealed);
    expect(after?.status).toBe('connected');
  });
});
