import type { CrmKind } from '../../shared/schema/crm.ts';
import type { CreateSyncBody, RunNowAnswer, Sync, SyncRun, SyncSettings } from '../../shared/schema/syncs.ts';
import { defaultSelection, type CrmSelection } from './crmPull.ts';
import { dynamicsUnderBench } from './crmDynamics.ts';
import { salesforceUnderBench } from './crmSalesforce.ts';
import type { CrmUnderBench } from './crmUnderBench.ts';
import { startLocalServer } from './localServer.ts';

const ROUNDS = 3;
/** The field a sync asks "changed after" (worker/sync/stampFields.ts); the direct pull reads it too, as the sync does. */
const STAMP: Record<CrmKind, string> = { salesforce: 'SystemModstamp', dynamics: 'modifiedon' };

const perSecond = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} records/s`;
const count = (n: number) => n.toLocaleString('en-US');
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function post<T>(baseUrl: string, path: string, body?: unknown): Promise<T> {
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(
    (r) => json<T>(r),
  );
}

/** A manual sync of the selection into a new audience, mapped as the SPA's CRM import maps it. */
function createSync(baseUrl: string, s: CrmSelection, audienceName: string): Promise<Sync> {
  const settings: SyncSettings = {
    name: audienceName,
    object: s.object,
    filters: [],
    mapping: {
      columns: s.attributes.map((column, i) => ({ column, target: s.targets[i] ?? null, sensitive: false })),
      identifier: s.identifier,
      onMatch: 'update',
    },
    cycle: 'manual',
    deletionRule: 'remove_member',
    flagField: null,
    defaultCountry: 'US',
  };
  const body: CreateSyncBody = { connectionId: s.connectionId, audienceName, settings, consent: { doubleOptIn: true, confirmedBy: 'bench@example.com' } };
  return post<Sync>(baseUrl, '/api/syncs', body);
}

type TimedRun = { run: SyncRun; seconds: number };

/**
 * "Run now", then the run as the Worker recorded it once it ended. The time is the run's own, start to finish as
 * stamped by the Worker (the claim, the import's start, every page step, the finish): nothing of the polling.
 */
async function runSync(baseUrl: string, syncId: string): Promise<TimedRun> {
  const started = await post<RunNowAnswer>(baseUrl, `/api/syncs/${syncId}/runs`);
  if (!started.started) throw new Error(`sync ${syncId}: a run was already going`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    let listed: SyncRun[];
    try {
      // On a machine this busy an answer can stall; a poll is asked again rather than waited for.
      listed = await json<SyncRun[]>(await fetch(`${baseUrl}/api/syncs/${syncId}/runs?limit=1`, { signal: AbortSignal.timeout(20_000) }));
    } catch (e) {
      if (e instanceof Error && e.name === 'TimeoutError') continue;
      throw e;
    }
    const run = listed[0];
    if (!run || run.id !== started.run.id) throw new Error(`sync ${syncId}: run ${started.run.id} not listed`);
    if (run.status === 'running') continue;
    if (run.status !== 'succeeded') throw new Error(`sync ${syncId}: run ${run.id} ${run.status}: ${run.error}`);
    return { run, seconds: (Date.parse(run.finishedAt ?? '') - Date.parse(run.startedAt)) / 1000 };
  }
}

function checkFull(label: string, t: TimedRun, records: number): void {
  const { received, inserted, updated, duplicates, rejected, skipped } = t.run.counts;
  if (t.run.pulled !== records || received !== records || inserted + updated + duplicates + rejected + skipped !== records) {
    throw new Error(`${label}: the run accounted for ${t.run.pulled} pulled, ${JSON.stringify(t.run.counts)} of ${records} records`);
  }
}

async function timeDirect(crm: CrmUnderBench, attributes: readonly string[], changedSince?: string): Promise<number> {
  const t0 = performance.now();
  await crm.pullDirect(attributes, changedSince);
  return (performance.now() - t0) / 1000;
}

/** (a) Full server-side syncs, pulled and stored by the Workflow, vs the fake's own serve rate in the same run. */
async function fullSyncs(records: number): Promise<void> {
  const only = process.env.BENCH_SYNC_CRMS?.split(',') ?? ['salesforce', 'dynamics'];
  const crms: CrmUnderBench[] = [];
  if (only.includes('salesforce')) crms.push(await salesforceUnderBench(records));
  if (only.includes('dynamics')) crms.push(await dynamicsUnderBench(records));
  const server = await startLocalServer(Object.assign({}, ...crms.map((c) => c.vars)));
  try {
    console.log(`\n## Sync: full runs on the Worker (${count(records)} records per CRM, median of ${ROUNDS}; goal ≥ 0.5× the fake's own rate)`);
    for (const crm of crms) {
      const selection = await defaultSelection(server.baseUrl, crm.kind, await crm.connect(server.baseUrl), crm.object);
      const read = [...selection.attributes, STAMP[crm.kind]];
      await crm.pullDirect(read); // warms the fake and Node's JIT
      const direct: number[] = [];
      const synced: TimedRun[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        direct.push(await timeDirect(crm, read));
        // A new sync and audience each round: every round inserts everything.
        const sync = await createSync(server.baseUrl, selection, `bench ${crm.kind} sync ${round + 1}`);
        const t = await runSync(server.baseUrl, sync.id);
        checkFull(crm.label, t, records);
        synced.push(t);
      }
      const a = median(direct);
      const c = median(synced.map((t) => t.seconds));
      const counts = synced[0]?.run.counts;
      console.log(`\n### ${crm.label} ${crm.object}, pages of ${count(crm.pageSize)}`);
      console.log(`(a) the fake, straight from Node     ${a.toFixed(2).padStart(6)} s  ${perSecond(records, a).padStart(18)}`);
      console.log(
        `(c) sync run, pulled and stored       ${c.toFixed(2).padStart(6)} s  ${perSecond(records, c).padStart(18)}  → ${(a / c).toFixed(2)}× (a); ` +
          `inserted ${counts?.inserted}, rejected ${counts?.rejected} (no email); rounds ${synced.map((t) => t.seconds.toFixed(2)).join(' / ')} s`,
      );
    }
  } finally {
    server.stop();
    for (const crm of crms) await crm.close();
  }
}

/** The run in the middle of `ROUNDS` runs of the sync, by time. */
async function medianRun(baseUrl: string, syncId: string): Promise<TimedRun> {
  const runs: TimedRun[] = [];
  for (let round = 0; round < ROUNDS; round++) runs.push(await runSync(baseUrl, syncId));
  return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)] as TimedRun;
}

/**
 * (b) Incremental runs on an audience of `members`: a full run first (the real sync seeds the audience), then
 * incremental runs with nothing changed (the fixed cost of a run), then every 100th record changed and incremental
 * runs again (each pulls the changed records again: they are within the 5-minute overlap of the mark).
 */
async function incrementalSyncs(members: number): Promise<{ members: number; changed: number; emptyMs: number; changedMs: number }> {
  const crm = await salesforceUnderBench(members);
  const server = await startLocalServer(crm.vars);
  try {
    const selection = await defaultSelection(server.baseUrl, crm.kind, await crm.connect(server.baseUrl), crm.object);
    const read = [...selection.attributes, STAMP[crm.kind]];
    const sync = await createSync(server.baseUrl, selection, `bench incremental ${members}`);
    const full = await runSync(server.baseUrl, sync.id);
    checkFull(`${crm.label} ${count(members)}`, full, members);
    const empty = await medianRun(server.baseUrl, sync.id);
    const changed = await crm.changeEvery(100);
    const incremental = await medianRun(server.baseUrl, sync.id);
    if (!incremental.run.incremental || incremental.run.pulled < changed) {
      throw new Error(`incremental run on ${count(members)}: ${JSON.stringify(incremental.run)} (${changed} changed)`);
    }
    await crm.pullDirect(read, incremental.run.changedSince ?? undefined); // signs in and warms the fake
    const direct = await timeDirect(crm, read, incremental.run.changedSince ?? undefined);
    const perChanged = (incremental.seconds * 1000) / changed;
    console.log(`\n### Audience of ${count(members)} members (Salesforce; seeded by a full sync run: ${full.seconds.toFixed(1)} s, ${perSecond(members, full.seconds)})`);
    console.log(`incremental run, nothing changed:     ${(empty.seconds * 1000).toFixed(0).padStart(6)} ms  (pulled ${empty.run.pulled}; median of ${ROUNDS})`);
    console.log(
      `incremental run, ${count(changed)} changed (1%): ${(incremental.seconds * 1000).toFixed(0).padStart(6)} ms  ` +
        `${perChanged.toFixed(3)} ms per changed record  (pulled ${incremental.run.pulled}, updated ${incremental.run.counts.updated}; median of ${ROUNDS}; ` +
        `the fake alone answers that query in ${(direct * 1000).toFixed(0)} ms)`,
    );
    return { members, changed, emptyMs: empty.seconds * 1000, changedMs: incremental.seconds * 1000 };
  } finally {
    server.stop();
    await crm.close();
  }
}

/** Issue 10's speed goals: full server-side syncs vs the fakes' own rate, and incremental runs that grow with the changes, not the audience. */
export async function runSyncBench(): Promise<void> {
  const records = Number(process.env.BENCH_SYNC_RECORDS ?? 100_000);
  const sizes = (process.env.BENCH_SYNC_AUDIENCES ?? '100000,1000000').split(',').map(Number);
  if (process.env.BENCH_SYNC_SKIP_FULL !== '1') await fullSyncs(records);
  console.log(`\n## Sync: incremental runs, 1% of the records changed (goal: ms per changed record within 1.5× across audience sizes)`);
  const results = [];
  for (const members of sizes) results.push(await incrementalSyncs(members));
  const per = results.map((r) => r.changedMs / r.changed);
  const net = results.map((r) => (r.changedMs - r.emptyMs) / r.changed);
  if (results.length > 1) {
    console.log(
      `\nms per changed record: ${results.map((r, i) => `${count(r.members)} → ${per[i]?.toFixed(3)}`).join(', ')} ` +
        `(${(Math.max(...per) / Math.min(...per)).toFixed(2)}×); beyond the empty run's fixed cost: ${results.map((r, i) => `${count(r.members)} → ${net[i]?.toFixed(3)}`).join(', ')} ` +
        `(${(Math.max(...net) / Math.min(...net)).toFixed(2)}×)`,
    );
  }
}
