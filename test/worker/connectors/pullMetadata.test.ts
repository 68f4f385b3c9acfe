import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { CrmRecordPage } from '../../../shared/schema/crm.ts';
import { requestAsAdmin } from '../support/api.ts';
import { fakeDataverse } from '../../servers/dynamics/fakeControls.ts';
import { call, connect, createOrg } from './fakeSalesforce.ts';

// A pull reads the object's metadata once, on its first page; its cursor pages reuse it (worker/connectors/pullMetadata.ts).

async function pullAll(request: (cursor: string | null) => Promise<Response>): Promise<{ records: Record<string, string | null>[]; pages: number }> {
  const records: Record<string, string | null>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await request(cursor);
    expect(res.status).toBe(200);
    const page: CrmRecordPage = CrmRecordPage.parse(await res.json());
    records.push(...page.records);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null);
  return { records, pages };
}

describe('Salesforce: one describe per pull', () => {
  it('describes on the first page only, and afresh when a new pull starts', async () => {
    const org = await createOrg({ contacts: 4_500 });
    const id = await connect(org);
    const pull = (cursor: string | null) => call(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes: ['Email', 'LeadSource'], cursor } });
    const before = (await org.stats()).apiRequests;
    const first = await pullAll(pull);
    expect(first.pages).toBe(3);
    expect(first.records).toHaveLength(4_500);
    // One describe, then one query or query-more per page.
    expect((await org.stats()).apiRequests - before).toBe(1 + 3);
    // The pages that reused the first page's describe still show picklist labels (a retired value's own label).
    const later = first.records.slice(2_000).map((r) => r.LeadSource);
    expect(later).toContain('Trade Show (retired)');
    expect(later).not.toContain('Trade Show');

    const again = (await org.stats()).apiRequests;
    await pullAll(pull);
    expect((await org.stats()).apiRequests - again).toBe(1 + 3);
  });

  it('does not share a describe between connections', async () => {
    const org = await createOrg({ contacts: 2_500 });
    const mine = await connect(org);
    const pull = (id: string) => (cursor: string | null) => call(org, `/api/connections/${id}/objects/Contact/pull`, { json: { attributes: ['Email'], cursor } });
    const first = CrmRecordPage.parse(await (await pull(mine)(null)).json());
    // Another connection resuming at that cursor has no describe of its own yet: it reads one.
    await env.DB.prepare(
      `INSERT INTO crm_connections (id, workspace_id, kind, login_url, instance_url, org_id, org_name, user_id, user_name, status,
         access_token_sealed, refresh_token_sealed, created_at, updated_at)
       SELECT 'twin-' || id, workspace_id, kind, login_url, instance_url, org_id || 'x', org_name, user_id, user_name, status,
         access_token_sealed, refresh_token_sealed, created_at, updated_at
       FROM crm_connections WHERE id = ?`,
    )
      .bind(mine)
      .run();
    const before = (await org.stats()).apiRequests;
    const res = await pull(`twin-${mine}`)(first.nextCursor);
    expect(res.status).toBe(200);
    expect((await org.stats()).apiRequests - before).toBe(2);
  });
});

describe('Dynamics 365: table metadata once per pull', () => {
  it('reads the metadata on the first page only', async () => {
    const fakeUrl = inject('dynamicsUrl');
    const tenant = crypto.randomUUID();
    const fake = fakeDataverse(fakeUrl, tenant);
    const bindings = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl };
    const post = (path: string, body: unknown) =>
      requestAsAdmin(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, bindings);
    const connected = await post('/api/connections/dynamics/app', { environmentUrl: fakeUrl, tenant });
    expect(connected.status).toBe(201);
    const { id } = (await connected.json()) as { id: string };

    await fake.control({ clearLog: true });
    const pulled = await pullAll((cursor) => post(`/api/connections/${id}/objects/contact/pull`, { attributes: ['emailaddress1', 'gendercode'], cursor }));
    expect(pulled.pages).toBeGreaterThan(1);
    const urls = (await fake.log()).requests.map((r) => r.url);
    const pages = urls.flatMap((u, i) => (u.startsWith('/api/data/v9.2/contacts') ? [i] : []));
    expect(pages).toHaveLength(pulled.pages);
    const metadata = urls.flatMap((u, i) => (u.startsWith('/api/data/v9.2/EntityDefinitions') ? [i] : []));
    expect(metadata.length).toBeGreaterThan(0);
    // Every metadata read comes before the first page; none between the later ones.
    expect(Math.max(...metadata)).toBeLessThan(pages[0] as number);
    // The pages that reused the metadata still show choice labels, not option values.
    const later = pulled.records.slice(5_000).flatMap((r) => (r.gendercode === null ? [] : [r.gendercode]));
    expect(later.length).toBeGreaterThan(0);
    for (const g of later) expect(g).toMatch(/^[A-Z][a-z]+$/);
  });
});
