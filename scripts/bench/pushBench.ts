import type { ExportSettings, ExportSettingsAnswer, PushRequest, SaveExportSettingsBody } from '../../shared/schema/crmExport.ts';
import type { Push, PushPreview } from '../../shared/schema/crmPush.ts';
import type { ImportSummary, StartImportBody } from '../../shared/schema/imports.ts';
import { salesforceUnderBench } from './crmSalesforce.ts';
import { BATCH_ROWS, ImportSender } from './measureIngest.ts';
import { startLocalServer } from './localServer.ts';

const perSecond = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} records/s`;
const count = (n: number) => n.toLocaleString('en-US');

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function send<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    // On a machine this busy one answer can take long; a large preview reads the whole audience.
    signal: AbortSignal.timeout(600_000),
  }).then((r) => json<T>(r));
}

/** Member `i`: a unique email and a name, what a marketer's list holds at least. */
const memberRow = (i: number) => [`push.member${i}@example.com`, `First${i}`, `Last${i}`];

/** The members as a CSV import brings them in: email identifies, first and last name mapped, nothing sensitive. */
async function importMembers(baseUrl: string, members: number): Promise<{ audienceId: string; inserted: number }> {
  const headers = ['Email', 'First name', 'Last name'];
  const body: StartImportBody = {
    audienceName: `bench push ${count(members)}`,
    source: { kind: 'csv', fileName: 'push.csv', headers },
    mapping: {
      columns: headers.map((column, i) => ({ column, target: ['email', 'first_name', 'last_name'][i] ?? null, sensitive: false })),
      identifier: 'Email',
      onMatch: 'update',
    },
    consent: { doubleOptIn: true },
    defaultCountry: 'US',
    batchSize: BATCH_ROWS,
    expectedRows: members,
  };
  const sender = await ImportSender.start(baseUrl, body);
  for (let i = 0; i < members; i++) await sender.add(i + 1, memberRow(i));
  const counts = await sender.finish();
  const summary = await json<ImportSummary>(await fetch(`${baseUrl}/api/imports/${sender.importId}`));
  return { audienceId: summary.audienceId, inserted: counts.inserted };
}

/** Members become Contacts, found by email, with their names: the smallest useful write-back. */
const SETTINGS: ExportSettings = {
  people: {
    target: 'contact',
    identifiers: [{ platformField: 'email', crmProperty: 'Email' }],
    fields: [
      { platformField: 'email', crmProperty: 'Email' },
      { platformField: 'first_name', crmProperty: 'FirstName' },
      { platformField: 'last_name', crmProperty: 'LastName' },
    ].map((f) => ({ ...f, direction: 'to_crm' as const, overwrite: true, defaultOnCreate: null })),
    fixed: [],
    exportTime: [],
    engagement: [],
    campaign: {},
  },
  companies: null,
  owners: { ownerField: null, users: [], defaultOwnerId: null },
  sensitiveAllowed: [],
};

/** Saved as the settings page saves them: the current version first, then PUT with it as the base. */
async function saveSettings(baseUrl: string, connectionId: string): Promise<void> {
  const current = await send<ExportSettingsAnswer>(baseUrl, 'GET', `/api/connections/${connectionId}/export-settings`);
  const body: SaveExportSettingsBody = { settings: SETTINGS, baseVersion: current.version };
  await send<ExportSettingsAnswer>(baseUrl, 'PUT', `/api/connections/${connectionId}/export-settings`, body);
}

/** Starts a push and waits for its durable run to end; the time is the push's own, as the Worker stamped it. */
async function pushAndWait(baseUrl: string, request: PushRequest): Promise<{ push: Push; seconds: number }> {
  const started = await send<Push>(baseUrl, 'POST', '/api/pushes', request);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    let push: Push;
    try {
      push = await json<Push>(await fetch(`${baseUrl}/api/pushes/${started.id}`, { signal: AbortSignal.timeout(20_000) }));
    } catch (e) {
      // A stalled poll is asked again rather than waited for.
      if (e instanceof Error && e.name === 'TimeoutError') continue;
      throw e;
    }
    if (push.status === 'running') continue;
    if (push.status !== 'succeeded') throw new Error(`push ${push.id} ${push.status}: ${JSON.stringify(push.error)}`);
    return { push, seconds: (Date.parse(push.finishedAt ?? '') - Date.parse(push.startedAt)) / 1000 };
  }
}

/** Issue 11's speed goal: a push of a whole audience vs the fake's own accept rate (≥ 0.5×), and the preview's time. */
export async function runPushBench(): Promise<void> {
  const members = Number(process.env.BENCH_PUSH_MEMBERS ?? 50_000);
  const crm = await salesforceUnderBench(0);
  const server = await startLocalServer(crm.vars);
  try {
    console.log(`\n## Sync to CRM: push of ${count(members)} members (email, first and last name; goal ≥ 0.5× the fake's own accept rate)`);
    const t0 = performance.now();
    const { audienceId, inserted } = await importMembers(server.baseUrl, members);
    if (inserted !== members) throw new Error(`import inserted ${inserted} of ${members} members`);
    const tImport = (performance.now() - t0) / 1000;
    const connectionId = await crm.connect(server.baseUrl);
    await saveSettings(server.baseUrl, connectionId);
    const request: PushRequest = { connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} };

    const t1 = performance.now();
    const preview = await send<PushPreview>(server.baseUrl, 'POST', '/api/pushes/preview', request);
    const tPreview = (performance.now() - t1) / 1000;
    if (preview.members !== members) throw new Error(`preview saw ${preview.members} of ${members} members`);

    const { push, seconds } = await pushAndWait(server.baseUrl, request);
    if (push.done !== members || push.counts.created !== members) throw new Error(`push accounted for ${JSON.stringify(push)}`);

    // (a) after the push, so the org is not empty as the push found it; other emails, so nothing collides.
    // (a') as (a), each 200 looked up by email first, as the push does: the fake scans all its records per query.
    const direct = (prefix: string) => Array.from({ length: members }, (_, i) => ({ Email: `${prefix}${i}@example.com`, FirstName: `First${i}`, LastName: `Last${i}` }));
    const timeDirect = async (prefix: string, lookUpFirst: boolean) => {
      const t = performance.now();
      const saved = await crm.createDirect(direct(prefix), lookUpFirst);
      if (saved !== members) throw new Error(`the fake saved ${saved} of ${members} contacts`);
      return (performance.now() - t) / 1000;
    };
    const tDirect = await timeDirect('direct', false);
    const tLookUp = await timeDirect('looked.up', true);

    console.log(`\n### Salesforce Contact, sObject Collections of 200 (audience imported in ${tImport.toFixed(1)} s)`);
    console.log(`preview, whole audience                  ${tPreview.toFixed(2).padStart(6)} s  (${JSON.stringify(preview.counts)})`);
    console.log(`(a) the fake, creates straight from Node  ${tDirect.toFixed(2).padStart(6)} s  ${perSecond(members, tDirect).padStart(18)}`);
    console.log(`(a') the same, each 200 looked up first  ${tLookUp.toFixed(2).padStart(6)} s  ${perSecond(members, tLookUp).padStart(18)}`);
    console.log(
      `(b) push run, read, planned and written  ${seconds.toFixed(2).padStart(6)} s  ${perSecond(members, seconds).padStart(18)}  → ${(tDirect / seconds).toFixed(2)}× (a); ` +
        `${(tLookUp / seconds).toFixed(2)}× (a'); created ${push.counts.created}, failed ${push.counts.failed}`,
    );
  } finally {
    server.stop();
    await crm.close();
  }
}
