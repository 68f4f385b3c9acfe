import type { ExportSettings, ExportSettingsAnswer, PushRequest, SaveExportSettingsBody } from '../../shared/schema/crmExport.ts';
import type { Push, PushPreview } from '../../shared/schema/crmPush.ts';
import type { ImportSummary, StartImportBody } from '../../shared/schema/imports.ts';
import { loadavg } from 'node:os';
import { dynamicsUnderBench } from './crmDynamics.ts';
import { salesforceUnderBench } from './crmSalesforce.ts';
import { BATCH_ROWS, ImportSender } from './measureIngest.ts';
import { startLocalServer } from './localServer.ts';
import { processGroupCpuSeconds } from './processCpu.ts';

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
function settingsOf(email: string, firstName: string, lastName: string): ExportSettings {
  return {
    people: {
      target: 'contact',
      identifiers: [{ platformField: 'email', crmProperty: email }],
      fields: [
        { platformField: 'email', crmProperty: email },
        { platformField: 'first_name', crmProperty: firstName },
        { platformField: 'last_name', crmProperty: lastName },
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
}

/** Saved as the settings page saves them: the current version first, then PUT with it as the base. */
async function saveSettings(baseUrl: string, connectionId: string, settings: ExportSettings): Promise<void> {
  const current = await send<ExportSettingsAnswer>(baseUrl, 'GET', `/api/connections/${connectionId}/export-settings`);
  const body: SaveExportSettingsBody = { settings, baseVersion: current.version };
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

/** Members a push step plans and writes (worker/push/pushBatch.ts PUSH_BATCH_MEMBERS): a Bulk API 2.0 job each on Salesforce. */
const STEP_MEMBERS = 10_000;

/** One CRM as the push bench drives it: where the push writes, and the fake's own rate for the same endpoint. */
type PushTarget = {
  label: string;
  /** What the push sends and the fake's direct rate is measured on. */
  endpoint: string;
  settings: ExportSettings;
  connect(baseUrl: string): Promise<string>;
  /** Writes `members` new contacts (emails starting with `prefix`) straight to the fake; the number saved. */
  direct(prefix: string, lookUpFirst: boolean): Promise<number>;
};

/** CPU seconds of this process so far: the fakes run here, so during a push this is (almost all) the fake's work. */
function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function benchTarget(baseUrl: string, groupId: number, audienceId: string, members: number, target: PushTarget): Promise<void> {
  const connectionId = await target.connect(baseUrl);
  await saveSettings(baseUrl, connectionId, target.settings);
  const request: PushRequest = { connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} };

  const t1 = performance.now();
  const preview = await send<PushPreview>(baseUrl, 'POST', '/api/pushes/preview', request);
  const tPreview = (performance.now() - t1) / 1000;
  if (preview.members !== members) throw new Error(`preview saw ${preview.members} of ${members} members`);

  // CPU of both sides during the push: the Worker's (wrangler dev, its workerd and local D1) and this process's (the fake).
  const workerCpu0 = processGroupCpuSeconds(groupId);
  const fakeCpu0 = ownCpuSeconds();
  const { push, seconds } = await pushAndWait(baseUrl, request);
  const workerCpu = processGroupCpuSeconds(groupId) - workerCpu0;
  const fakeCpu = ownCpuSeconds() - fakeCpu0;
  if (push.done !== members || push.counts.created !== members) throw new Error(`push accounted for ${JSON.stringify(push)}`);

  // (a) after the push, so the org holds the push's records as the push's last step found it; other emails, so
  // nothing collides. (a') as (a), each step's emails looked up first, as the push does.
  const timeDirect = async (prefix: string, lookUpFirst: boolean) => {
    const t = performance.now();
    const saved = await target.direct(prefix, lookUpFirst);
    if (saved !== members) throw new Error(`the fake saved ${saved} of ${members} contacts`);
    return (performance.now() - t) / 1000;
  };
  const tDirect = await timeDirect('direct', false);
  const tLookUp = await timeDirect('looked.up', true);

  console.log(`\n### ${target.label}: ${target.endpoint}`);
  console.log(`preview, whole audience                  ${tPreview.toFixed(2).padStart(6)} s  (${JSON.stringify(preview.counts)})`);
  console.log(`(a) the fake, the same endpoint from Node ${tDirect.toFixed(2).padStart(6)} s  ${perSecond(members, tDirect).padStart(18)}`);
  console.log(`(a') the same, each step looked up first  ${tLookUp.toFixed(2).padStart(6)} s  ${perSecond(members, tLookUp).padStart(18)}`);
  console.log(
    `(b) push run, read, planned and written  ${seconds.toFixed(2).padStart(6)} s  ${perSecond(members, seconds).padStart(18)}  → ${(tDirect / seconds).toFixed(2)}× (a); ` +
      `${(tLookUp / seconds).toFixed(2)}× (a'); created ${push.counts.created}, failed ${push.counts.failed}`,
  );
  console.log(`    CPU during the push: wrangler dev (Worker, local D1) ${workerCpu.toFixed(2)} s, the fake (this process) ${fakeCpu.toFixed(2)} s`);
}

/** Issue 11's speed goal: a push of a whole audience vs the fake's own accept rate (≥ 0.5×), and the preview's time. */
export async function runPushBench(): Promise<void> {
  const members = Number(process.env.BENCH_PUSH_MEMBERS ?? 50_000);
  const crms = (process.env.BENCH_PUSH_CRMS ?? 'salesforce,dynamics').split(',');
  const salesforce = await salesforceUnderBench(0);
  const dynamics = await dynamicsUnderBench(0);
  // Without wrangler's DevTools relay (localServer.ts): it copies every answer the push's thousands of subrequests
  // get into an inspector message and a debug log, dev-only work that cost two thirds of the server's CPU here.
  const devtools = process.env.BENCH_PUSH_DEVTOOLS === '1';
  const server = await startLocalServer({ ...salesforce.vars, ...dynamics.vars }, { devtools });
  const contacts = (prefix: string, names: (i: number) => Record<string, string>) => Array.from({ length: members }, (_, i) => names(i));
  const targets: Record<string, PushTarget> = {
    salesforce: {
      label: 'Salesforce Contact',
      endpoint: `Bulk API 2.0 ingest jobs of ${count(STEP_MEMBERS)} (one per push step)`,
      settings: settingsOf('Email', 'FirstName', 'LastName'),
      connect: (baseUrl) => salesforce.connect(baseUrl),
      direct: (prefix, lookUpFirst) =>
        salesforce.bulkDirect(
          contacts(prefix, (i) => ({ Email: `${prefix}${i}@example.com`, FirstName: `First${i}`, LastName: `Last${i}` })),
          STEP_MEMBERS,
          lookUpFirst,
        ),
    },
    dynamics: {
      label: 'Dynamics 365 contact',
      endpoint: '$batch of 1,000 creates, each a request of its own, continue-on-error',
      settings: settingsOf('emailaddress1', 'firstname', 'lastname'),
      connect: (baseUrl) => dynamics.connect(baseUrl),
      direct: (prefix, lookUpFirst) =>
        dynamics.batchDirect(
          contacts(prefix, (i) => ({ emailaddress1: `${prefix}${i}@example.com`, firstname: `First${i}`, lastname: `Last${i}` })),
          lookUpFirst,
        ),
    },
  };
  try {
    console.log(`\n## Sync to CRM: push of ${count(members)} members (email, first and last name; goal ≥ 0.5× the fake's own accept rate)`);
    const t0 = performance.now();
    const { audienceId, inserted } = await importMembers(server.baseUrl, members);
    if (inserted !== members) throw new Error(`import inserted ${inserted} of ${members} members`);
    console.log(`audience imported in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`wrangler dev ${devtools ? 'with' : 'without'} its DevTools inspector proxy (BENCH_PUSH_DEVTOOLS=1: with)`);
    for (const name of crms) {
      const target = targets[name];
      if (!target) throw new Error(`BENCH_PUSH_CRMS: no CRM "${name}"`);
      await benchTarget(server.baseUrl, server.groupId, audienceId, members, target);
      console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    }
  } finally {
    server.stop();
    await salesforce.close();
    await dynamics.close();
  }
}
