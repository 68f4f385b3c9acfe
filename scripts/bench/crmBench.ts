import { defaultSelection, pullAndStore, pullThroughWorker, type Timed } from './crmPull.ts';
import { dynamicsUnderBench } from './crmDynamics.ts';
import { salesforceUnderBench } from './crmSalesforce.ts';
import type { CrmUnderBench } from './crmUnderBench.ts';
import { startLocalServer } from './localServer.ts';

const ROUNDS = 3;

const perSecond = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} records/s`;
const medianBy = <T extends { seconds: number }>(xs: T[]): T => [...xs].sort((a, b) => a.seconds - b.seconds)[Math.floor(xs.length / 2)] as T;

function line(label: string, t: Timed, extra = ''): string {
  const perPage = `${((t.seconds * 1000) / t.pages).toFixed(0)} ms a page`;
  return `${label.padEnd(36)}${t.seconds.toFixed(2).padStart(6)} s  ${perSecond(t.records, t.seconds).padStart(18)}  ${perPage.padStart(14)}${extra}`;
}

async function timeDirect(crm: CrmUnderBench, attributes: readonly string[]): Promise<Timed> {
  const t0 = performance.now();
  const d = await crm.pullDirect(attributes);
  return { ...d, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Issues 3 and 4: records/s pulled (and pulled + stored) through the Worker against the fake CRM's own serve
 * rate, goal ≥ 0.8×. Both fakes run in this process, so (a) includes the same loopback HTTP and JSON the Worker
 * pays for; the Worker runs in wrangler dev on a fresh local D1 with its CRM endpoints pointing at the fakes.
 */
export async function runCrmBench(): Promise<void> {
  const records = Number(process.env.BENCH_CRM_RECORDS ?? 50_000);
  const crms: CrmUnderBench[] = [await salesforceUnderBench(records), await dynamicsUnderBench(records)];
  const server = await startLocalServer(Object.assign({}, ...crms.map((c) => c.vars)));
  try {
    console.log(`\n## CRM pull (${records.toLocaleString('en-US')} contacts per CRM, default attributes, median of ${ROUNDS}; goal ≥ 0.8× the fake's own rate)`);
    for (const crm of crms) {
      const connectionId = await crm.connect(server.baseUrl);
      const selection = await defaultSelection(server.baseUrl, crm.kind, connectionId, crm.object);
      // One untimed pass each: workerd compiles the Worker's code paths, the fakes' and Node's JIT warm up.
      await crm.pullDirect(selection.attributes);
      await pullThroughWorker(server.baseUrl, selection);

      const direct: Timed[] = [];
      const pulled: Timed[] = [];
      const stored: Awaited<ReturnType<typeof pullAndStore>>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        direct.push(await timeDirect(crm, selection.attributes));
        pulled.push(await pullThroughWorker(server.baseUrl, selection));
        // A new audience each round, so every round inserts (no round is cheaper for finding its members already there).
        stored.push(await pullAndStore(server.baseUrl, selection, `bench ${crm.kind} pull ${round + 1}`));
      }
      const a = medianBy(direct);
      const b = medianBy(pulled);
      const c = medianBy(stored);
      for (const t of [...direct, ...pulled, ...stored]) {
        if (t.records !== records) throw new Error(`${crm.label}: ${t.records} records read, ${records} in the CRM`);
      }
      for (const t of stored) {
        const { received, inserted, updated, duplicates, rejected, skipped } = t.counts;
        if (received !== records || inserted + updated + duplicates + rejected + skipped !== records) {
          throw new Error(`${crm.label}: import accounted for ${JSON.stringify(t.counts)} of ${records} records`);
        }
      }
      console.log(`\n### ${crm.label} ${crm.object}: ${selection.attributes.join(', ')} (identifier ${selection.identifier}), pages of ${crm.pageSize.toLocaleString('en-US')}`);
      console.log(line('(a) the fake, straight from Node', a));
      console.log(line('(b) pulled through the Worker', b, `  → ${(a.seconds / b.seconds).toFixed(2)}× (a)`));
      console.log(
        line('(c) pulled and stored (D1)', c, `  → ${(a.seconds / c.seconds).toFixed(2)}× (a); inserted ${c.counts.inserted}, rejected ${c.counts.rejected}, duplicates ${c.counts.duplicates}`),
      );
    }
  } finally {
    server.stop();
    for (const crm of crms) await crm.close();
  }
}
