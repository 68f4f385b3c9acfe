/**
 * A CPU profile of the product Worker while batches arrive (README → Benchmarks). Run it bundled, as the bench is:
 *   npx esbuild scripts/bench/profileIngest.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=node_modules/.cache/bench/profile.mjs && node node_modules/.cache/bench/profile.mjs
 * wrangler dev with `--inspector-port`, the DevTools protocol's `Profiler` on the Worker's
 * target, the same rows and batches as the ingest bench (server-side sealing, then privacy mode), after a warm-up
 * import each so the profile shows optimised code. Writes `<PROFILE_OUT>-server.cpuprofile` and `-private` (open
 * them in Chrome's DevTools) and prints self and total time by function.
 * PROFILE_ROWS (default 50,000), PROFILE_OUT (default profile-ingest), PROFILE_MODES (default `server,private`;
 * `bare` profiles the bare Worker instead, the same rows two batches in flight: what a bare write costs in workerd;
 * `reimport` imports the rows, then profiles the same rows imported again into that audience: every row a merge).
 */
import { copyFileSync, createReadStream, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
// @ts-expect-error wrangler's own WebSocket client (a dependency of it, without types here); Node 20 has none built in
import WebSocket from 'ws';
import { createCsvReader } from '../../shared/csv/index.ts';
import { sendToBare, startBareServer } from './bareIngest.ts';
import { freePort, startLocalServer } from './localServer.ts';
import { BATCH_ROWS, BENCH_TARGETS, benchImportBody, IN_FLIGHT, ImportSender, type PrivateBatch, sealBatch, sealingKeyOf } from './measureIngest.ts';

const ROWS = Number(process.env.PROFILE_ROWS ?? 50_000);
const OUT = process.env.PROFILE_OUT ?? 'profile-ingest';
const MODES = (process.env.PROFILE_MODES ?? 'server,private').split(',');
const FILE = `bench-data/audience-${process.env.BENCH_ROWS ?? 1_000_000}.csv`;

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

async function readRows(n: number): Promise<{ headers: string[]; rows: string[][] }> {
  const all: string[][] = [];
  const reader = createCsvReader({}, (rows) => {
    for (const r of rows) if (all.length < n + 1) all.push(r);
  });
  for await (const b of createReadStream(FILE, { highWaterMark: 1 << 20 })) {
    reader.push(b as Uint8Array);
    if (all.length > n) break;
  }
  return { headers: all[0] as string[], rows: all.slice(1) };
}

function connect(url: string): Promise<(method: string, params?: object) => Promise<any>> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (data: unknown) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const w = msg.id === undefined ? undefined : waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id as number);
    if (msg.error) w.reject(new Error(msg.error.message));
    else w.resolve(msg.result);
  });
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () =>
      resolve(
        (method, params = {}) =>
          new Promise((res, rej) => {
            const id = next++;
            waiting.set(id, { resolve: res, reject: rej });
            ws.send(JSON.stringify({ id, method, params }));
          }),
      ),
    );
  });
}

/** Self and total (inclusive, once per sample) milliseconds by function, the largest first. */
function summarize(profile: Profile, top = 45): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const id = profile.samples[i] as number;
    const node = byId.get(id) as ProfileNode;
    all += dt;
    self.set(name(node.callFrame), (self.get(name(node.callFrame)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = name((byId.get(at) as ProfileNode).callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((ms / all) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `sampled ${all.toFixed(0)} ms\n-- self --\n${list(self)}\n-- total --\n${list(total)}`;
}

type Cdp = (method: string, params?: object) => Promise<any>;

async function profileTarget(inspectorPort: number): Promise<Cdp> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { id: string; title: string; webSocketDebuggerUrl: string }[];
  console.log('targets:', targets.map((t) => t.title).join(', '));
  const target = targets.find((t) => !/internal|proxy/i.test(t.title)) ?? (targets[0] as (typeof targets)[number]);
  const send = await connect(target.webSocketDebuggerUrl);
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  return send;
}

async function profileBare(warm: string[][], sample: string[][]): Promise<void> {
  const inspectorPort = await freePort();
  const bare = await startBareServer({ inspectorPort });
  try {
    const send = await profileTarget(inspectorPort);
    await sendToBare(bare.baseUrl, 'warm', BENCH_TARGETS, warm, BATCH_ROWS, 2);
    await send('Profiler.start');
    const t = performance.now();
    const n = await sendToBare(bare.baseUrl, 'profiled', BENCH_TARGETS, sample, BATCH_ROWS, 2);
    const seconds = (performance.now() - t) / 1000;
    const { profile } = (await send('Profiler.stop')) as { profile: Profile };
    writeFileSync(`${OUT}-bare.cpuprofile`, JSON.stringify(profile));
    console.log(`\n## bare: ${n} rows in ${seconds.toFixed(2)} s`);
    console.log(summarize(profile));
  } finally {
    bare.stop();
  }
}

async function main(): Promise<void> {
  const { headers, rows } = await readRows(ROWS + 10_000);
  const warm = rows.slice(ROWS);
  const sample = rows.slice(0, ROWS);
  if (MODES.includes('bare')) await profileBare(warm, sample);
  if (!MODES.some((m) => m !== 'bare')) return;
  const inspectorPort = await freePort();
  const server = await startLocalServer({}, { inspectorPort });
  try {
    const send = await profileTarget(inspectorPort);
    const key = await sealingKeyOf(server.baseUrl);
    const sealAll = async (rs: string[][]) => {
      const out: PrivateBatch[] = [];
      for (let first = 0; first < rs.length; first += BATCH_ROWS) out.push(await sealBatch(key!, first + 1, rs.slice(first, first + BATCH_ROWS)));
      return out;
    };
    for (const mode of MODES.filter((m) => m !== 'bare')) {
      const privacyMode = mode === 'private';
      let audienceId: string | undefined;
      const run = async (rs: string[][], batches: PrivateBatch[] | null, label: string) => {
        const body = audienceId ? { ...benchImportBody(headers, label, rs.length), audienceName: undefined, audienceId } : benchImportBody(headers, label, rs.length);
        const sender = await ImportSender.start(server.baseUrl, privacyMode ? { ...body, privacyMode: true } : body, IN_FLIGHT);
        if (batches) for (const b of batches) await sender.put(b);
        else for (let i = 0; i < rs.length; i++) await sender.add(i + 1, rs[i] as string[]);
        return sender.finish();
      };
      const warmBatches = privacyMode ? await sealAll(warm) : null;
      const batches = privacyMode ? await sealAll(sample) : null;
      await run(warm, warmBatches, `warm ${mode}`);
      if (mode === 'reimport') {
        const first = await ImportSender.start(server.baseUrl, benchImportBody(headers, 'profile reimport', sample.length), IN_FLIGHT);
        for (let i = 0; i < sample.length; i++) await first.add(i + 1, sample[i] as string[]);
        await first.finish();
        ({ audienceId } = (await (await fetch(`${server.baseUrl}/api/imports/${first.importId}`)).json()) as { audienceId: string });
      }
      await send('Profiler.start');
      const t = performance.now();
      const counts = await run(sample, batches, `profile ${mode}`);
      const seconds = (performance.now() - t) / 1000;
      const { profile } = (await send('Profiler.stop')) as { profile: Profile };
      writeFileSync(`${OUT}-${mode}.cpuprofile`, JSON.stringify(profile));
      console.log(`\n## ${mode}: ${sample.length} rows in ${seconds.toFixed(2)} s (inserted ${counts.inserted})`);
      console.log(summarize(profile));
    }
    // wrangler dev's bundle, which the profile's line numbers point into (it is deleted when wrangler stops).
    const dev = existsSync('.wrangler/tmp') ? readdirSync('.wrangler/tmp').filter((d) => d.startsWith('dev-')) : [];
    const newest = dev.map((d) => `.wrangler/tmp/${d}/index.js`).filter(existsSync).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (newest) copyFileSync(newest, `${OUT}-bundle.js`);
  } finally {
    server.stop();
  }
}

await main();
