import type { CreateOrgResponse } from '../../test/servers/salesforce/controlTypes.ts';
import { LATEST_API_VERSION, startFakeSalesforce } from '../../test/servers/salesforce/server.ts';
import { recordId } from '../../test/servers/salesforce/records.ts';
import type { CrmUnderBench } from './crmUnderBench.ts';

const CLIENT = { clientId: 'bench-salesforce-client', clientSecret: 'bench-salesforce-secret' };
/** Salesforce's default query page, and what the connector asks for. */
const PAGE_SIZE = 2000;
/** Records per sObject Collections request: Salesforce's limit, and what the connector's writer sends. */
const COLLECTION_SIZE = 200;

type QueryPage = { done: boolean; nextRecordsUrl?: string; records: unknown[] };

async function ok(res: Response): Promise<Response> {
  if (!res.ok && res.status !== 302) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return res;
}

/** An access token straight from the fake's OAuth endpoints (web server flow without PKCE, which it allows). */
async function directToken(org: CreateOrgResponse): Promise<string> {
  const redirectUri = 'http://127.0.0.1/bench-callback';
  const authorize = new URL(`${org.loginUrl}/services/oauth2/authorize`);
  authorize.search = new URLSearchParams({ response_type: 'code', client_id: CLIENT.clientId, redirect_uri: redirectUri }).toString();
  const back = await ok(await fetch(authorize, { redirect: 'manual' }));
  const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const token = await ok(
    await fetch(`${org.loginUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }),
    }),
  );
  return ((await token.json()) as { access_token: string }).access_token;
}

/** The fake Salesforce (test/servers/salesforce) with one org of `records` generated contacts. */
export async function salesforceUnderBench(
  records: number,
): Promise<
  CrmUnderBench & {
    changeEvery(nth: number): Promise<number>;
    createDirect(contacts: readonly Record<string, string>[], lookUpFirst: boolean): Promise<number>;
    bulkDirect(contacts: readonly Record<string, string>[], jobSize: number, lookUpFirst: boolean): Promise<number>;
  }
> {
  const fake = await startFakeSalesforce();
  const res = await fetch(`${fake.url}/__control/orgs`, {
    method: 'POST',
    body: JSON.stringify({ ...CLIENT, orgName: 'Bench Org', contacts: records, pageSize: PAGE_SIZE }),
  });
  if (res.status !== 201) throw new Error(`fake Salesforce refused the org: ${res.status} ${await res.text()}`);
  const org = (await res.json()) as CreateOrgResponse;
  let token: string | null = null;

  return {
    kind: 'salesforce',
    label: 'Salesforce',
    object: 'Contact',
    pageSize: PAGE_SIZE,
    vars: { SALESFORCE_LOGIN_URL: org.loginUrl, SALESFORCE_CLIENT_ID: CLIENT.clientId, SALESFORCE_CLIENT_SECRET: CLIENT.clientSecret },

    /** The Worker's login round trip: authorize → the fake "logs in" and redirects → our callback → connection id. */
    async connect(baseUrl) {
      const start = await ok(
        await fetch(`${baseUrl}/api/connections/salesforce/authorize`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ loginHost: 'production' }),
        }),
      );
      const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
      const atSalesforce = await ok(await fetch(authorizeUrl, { redirect: 'manual' }));
      const callback = new URL(atSalesforce.headers.get('location') ?? '');
      // A sign-in is bound to the browser that started it: the callback carries the cookie authorize set.
      const signInCookie = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const landed = await ok(await fetch(`${baseUrl}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { cookie: signInCookie } }));
      const id = new URL(landed.headers.get('location') ?? '', baseUrl).searchParams.get('connected');
      if (!id) throw new Error(`Salesforce callback did not connect: ${landed.headers.get('location')}`);
      return id;
    },

    /** The same SOQL the connector builds, paged by nextRecordsUrl, each page read and parsed. */
    async pullDirect(attributes, changedSince) {
      token ??= await directToken(org);
      const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
      const soql = `SELECT ${attributes.join(', ')} FROM Contact${changedSince ? ` WHERE SystemModstamp > ${changedSince}` : ''}`;
      let url: string | null = `${org.instanceUrl}/services/data/v${LATEST_API_VERSION}/query?${new URLSearchParams({ q: soql })}`;
      let count = 0;
      let pages = 0;
      while (url) {
        const page = (await (await ok(await fetch(url, { headers }))).json()) as QueryPage;
        count += page.records.length;
        pages++;
        // nextRecordsUrl is instance-relative ("/services/data/v62.0/query/01g…-2000").
        url = page.done || !page.nextRecordsUrl ? null : `${org.instanceUrl}${page.nextRecordsUrl}`;
      }
      return { records: count, pages };
    },

    /** Changes every `nth` contact "in Salesforce" (a new first name and, as Salesforce does, a new SystemModstamp). */
    async changeEvery(nth) {
      const orgIndex = Number(org.loginUrl.split('/orgs/')[1]?.split('/')[0]);
      const upsert = Array.from({ length: Math.floor(records / nth) }, (_, i) => ({ Id: recordId('003', orgIndex, i * nth + 1), FirstName: `Changed${i}` }));
      const changed = await fetch(`${fake.url}/__control/orgs/${orgIndex}/records`, { method: 'POST', body: JSON.stringify({ object: 'Contact', upsert }) });
      if (!changed.ok) throw new Error(`fake Salesforce refused the changes: ${changed.status} ${await changed.text()}`);
      return upsert.length;
    },

    /**
     * The fake's own accept rate for what a push writes: new contacts through sObject Collections, 200 per request
     * and one request at a time, as the Salesforce writer sends them; the number the fake saved. With `lookUpFirst`,
     * each 200 are first looked up by email (`Email IN (…)`), as a push matches members before it writes.
     */
    async createDirect(contacts, lookUpFirst) {
      token ??= await directToken(org);
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      let saved = 0;
      for (let i = 0; i < contacts.length; i += COLLECTION_SIZE) {
        const part = contacts.slice(i, i + COLLECTION_SIZE);
        if (lookUpFirst) {
          const soql = `SELECT Id, Email FROM Contact WHERE Email IN (${part.map((c) => `'${c.Email}'`).join(', ')})`;
          await (await ok(await fetch(`${org.instanceUrl}/services/data/v${LATEST_API_VERSION}/query?${new URLSearchParams({ q: soql })}`, { headers }))).json();
        }
        const records = part.map((c) => ({ attributes: { type: 'Contact' }, ...c }));
        const res = await ok(
          await fetch(`${org.instanceUrl}/services/data/v${LATEST_API_VERSION}/composite/sobjects`, { method: 'POST', headers, body: JSON.stringify({ allOrNone: false, records }) }),
        );
        saved += ((await res.json()) as { success: boolean }[]).filter((r) => r.success).length;
      }
      return saved;
    },

    /**
     * The fake's own accept rate for what a large push writes: Bulk API 2.0 ingest jobs of `jobSize` new contacts
     * (create, CSV upload, UploadComplete, polled as the writer polls — at once, then after 250 ms growing by half —,
     * successfulResults read), one job at a time; the number of rows the results name. With `lookUpFirst`, each job's
     * emails are first looked up 200 a query, 4 queries in flight, as a push step matches before it writes.
     */
    async bulkDirect(contacts, jobSize, lookUpFirst) {
      token ??= await directToken(org);
      const api = `${org.instanceUrl}/services/data/v${LATEST_API_VERSION}`;
      const headers = { authorization: `Bearer ${token}` };
      const asJson = { ...headers, 'content-type': 'application/json' };
      let saved = 0;
      for (let i = 0; i < contacts.length; i += jobSize) {
        const part = contacts.slice(i, i + jobSize);
        if (lookUpFirst) {
          const queries = Array.from({ length: Math.ceil(part.length / COLLECTION_SIZE) }, (_, q) => part.slice(q * COLLECTION_SIZE, (q + 1) * COLLECTION_SIZE));
          let next = 0;
          const worker = async () => {
            while (next < queries.length) {
              const chunk = queries[next++] ?? [];
              const soql = `SELECT Id, Email, FirstName, LastName, OwnerId, LastModifiedDate FROM Contact WHERE Email IN (${chunk.map((c) => `'${c.Email}'`).join(', ')})`;
              await (await ok(await fetch(`${api}/query?${new URLSearchParams({ q: soql })}`, { headers }))).json();
            }
          };
          await Promise.all([worker(), worker(), worker(), worker()]);
        }
        const columns = Object.keys(part[0] ?? {});
        const csv = `${[columns.join(','), ...part.map((c) => columns.map((k) => `"${(c[k] ?? '').replaceAll('"', '""')}"`).join(','))].join('\n')}\n`;
        const job = (await (
          await ok(await fetch(`${api}/jobs/ingest`, { method: 'POST', headers: asJson, body: JSON.stringify({ object: 'Contact', operation: 'insert', contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' }) }))
        ).json()) as { id: string };
        await ok(await fetch(`${api}/jobs/ingest/${job.id}/batches`, { method: 'PUT', headers: { ...headers, 'content-type': 'text/csv' }, body: csv }));
        await ok(await fetch(`${api}/jobs/ingest/${job.id}`, { method: 'PATCH', headers: asJson, body: JSON.stringify({ state: 'UploadComplete' }) }));
        for (let wait = 250; ; wait = Math.min(10_000, Math.round(wait * 1.5))) {
          const info = (await (await ok(await fetch(`${api}/jobs/ingest/${job.id}`, { headers }))).json()) as { state: string };
          if (info.state === 'JobComplete') break;
          if (info.state === 'Failed' || info.state === 'Aborted') throw new Error(`bulk job ${job.id} ${info.state}`);
          await new Promise((r) => setTimeout(r, wait));
        }
        const results = await (await ok(await fetch(`${api}/jobs/ingest/${job.id}/successfulResults`, { headers }))).text();
        saved += results.trimEnd().split('\n').length - 1;
      }
      return saved;
    },

    close: () => fake.close(),
  };
}
