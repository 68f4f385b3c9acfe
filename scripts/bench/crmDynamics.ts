import { randomUUID } from 'node:crypto';
import { FakeDataverse } from '../../test/servers/dynamics/fakeDataverse.ts';
import { batchBody, parseBatchAnswer } from '../../worker/connectors/dynamics/writerBatch.ts';
import type { CrmUnderBench } from './crmUnderBench.ts';

const CLIENT = { clientId: 'bench-dynamics-client', clientSecret: 'bench-dynamics-secret' };
/** Dataverse's largest odata.maxpagesize, and what the connector asks for. */
const PAGE_SIZE = 5000;
const WEB_API = '/api/data/v9.2/';

type EntityPage = { value: unknown[]; '@odata.nextLink'?: string };

async function ok(res: Response): Promise<Response> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return res;
}

/** The fake Dataverse environment and identity platform (test/servers/dynamics) with `records` generated contacts. */
export async function dynamicsUnderBench(records: number): Promise<CrmUnderBench & { batchDirect(contacts: readonly Record<string, string>[], lookUpFirst: boolean): Promise<number> }> {
  const fake = new FakeDataverse({ ...CLIENT, contacts: records });
  const url = await fake.start();
  const tenant = randomUUID();
  let token: string | null = null;

  async function directToken(): Promise<string> {
    const res = await ok(
      await fetch(`${url}/${tenant}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, scope: `${url}/.default` }),
      }),
    );
    return ((await res.json()) as { access_token: string }).access_token;
  }

  return {
    kind: 'dynamics',
    label: 'Dynamics 365',
    object: 'contact',
    pageSize: PAGE_SIZE,
    // The fake is both Microsoft's authority and the environment; its http origin must be trusted explicitly.
    vars: { DYNAMICS_AUTHORITY_URL: url, DYNAMICS_ALLOWED_ORIGINS: url, DYNAMICS_CLIENT_ID: CLIENT.clientId, DYNAMICS_CLIENT_SECRET: CLIENT.clientSecret },

    /** Client credentials through POST /api/connections/dynamics/app: the answer is the connection. */
    async connect(baseUrl) {
      const res = await ok(
        await fetch(`${baseUrl}/api/connections/dynamics/app`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ environmentUrl: url, tenant }),
        }),
      );
      return ((await res.json()) as { id: string }).id;
    },

    /**
     * The request the connector makes: $select + $count, 5,000-row pages with formatted values, then each
     * @odata.nextLink. The default contact attributes are plain columns, so their Web API names are their own.
     */
    async pullDirect(attributes, changedSince) {
      token ??= await directToken();
      const headers = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'odata-maxversion': '4.0',
        'odata-version': '4.0',
        prefer: `odata.maxpagesize=${PAGE_SIZE},odata.include-annotations="OData.Community.Display.V1.FormattedValue"`,
      };
      const query = new URLSearchParams({ $select: attributes.join(','), $count: 'true', ...(changedSince ? { $filter: `modifiedon gt ${changedSince}` } : {}) })
        .toString()
        .replaceAll('+', '%20');
      let next: string | null = `${url}${WEB_API}contacts?${query}`;
      let count = 0;
      let pages = 0;
      while (next) {
        const page = (await (await ok(await fetch(next, { headers }))).json()) as EntityPage;
        count += page.value.length;
        pages++;
        next = page['@odata.nextLink'] ?? null;
      }
      return { records: count, pages };
    },

    /**
     * The fake's own accept rate for what a push writes: $batch requests of 1,000 creates, each a request of its own
     * with odata.continue-on-error, one request at a time, in the Dynamics writer's format (writerBatch.ts); the
     * number of parts answered 204. With `lookUpFirst`, each 1,000 are first looked up by emailaddress1 (`eq … or …`, 100 a
     * query, 4 queries in flight), as a push step matches before it writes.
     */
    async batchDirect(contacts, lookUpFirst) {
      token ??= await directToken();
      const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'odata-maxversion': '4.0', 'odata-version': '4.0' };
      let saved = 0;
      for (let i = 0; i < contacts.length; i += 1000) {
        const part = contacts.slice(i, i + 1000);
        if (lookUpFirst) {
          const queries = Array.from({ length: Math.ceil(part.length / 100) }, (_, q) => part.slice(q * 100, (q + 1) * 100));
          let next = 0;
          const worker = async () => {
            while (next < queries.length) {
              const chunk = queries[next++] ?? [];
              const filter = chunk.map((c) => `emailaddress1 eq '${(c.emailaddress1 ?? '').replaceAll("'", "''")}'`).join(' or ');
              const query = new URLSearchParams({ $select: 'contactid,modifiedon,emailaddress1,firstname,lastname,_ownerid_value', $filter: filter }).toString().replaceAll('+', '%20');
              await (await ok(await fetch(`${url}${WEB_API}contacts?${query}`, { headers: { ...headers, prefer: 'odata.maxpagesize=5000' } }))).json();
            }
          };
          await Promise.all([worker(), worker(), worker(), worker()]);
        }
        const { contentType, body } = batchBody(
          part.map((c) => ({
            method: 'POST' as const,
            url: `${url}${WEB_API}contacts`,
            headers: { 'Content-Type': 'application/json; type=entry', 'MSCRM.SuppressDuplicateDetection': 'false' },
            body: JSON.stringify(c),
          })),
          randomUUID(),
        );
        const res = await ok(await fetch(`${url}${WEB_API}$batch`, { method: 'POST', headers: { ...headers, 'content-type': contentType, prefer: 'odata.continue-on-error' }, body }));
        saved += parseBatchAnswer(await res.text(), res.headers.get('content-type') ?? '').filter((a) => a.status === 204).length;
      }
      return saved;
    },

    close: () => fake.stop(),
  };
}
