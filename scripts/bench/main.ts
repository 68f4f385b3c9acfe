import { cpus } from 'node:os';
import { BENCH_HEADERS, generateCsv } from './generateCsv.ts';
import { BATCH_ROWS, BENCH_SENSITIVE, BENCH_TARGETS, benchImportBody, IN_FLIGHT, ImportSender, insertWithSqlite, type PrivateBatch, sealBatch, sealingKeyOf } from './measureIngest.ts';
import type { WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import { bareStatements, sendToBare, sendToFloor, startBareServer } from './bareIngest.ts';
import { processGroupCpuSeconds, processGroupWorkerdCpuSeconds } from './processCpu.ts';
import { parseWithApp, parseWithPapa } from './measureParse.ts';
import { startLocalServer } from './localServer.ts';
import { measureTab, measureTabPrivate } from './measureTab.ts';
import { createReadStream, readFileSync } from 'node:fs';
import { createCsvReader } from '../../shared/csv/index.ts';
import { runCrmBench } from './crmBench.ts';
import { runAudienceBench } from './audienceBench.ts';
import { runSyncBench } from './syncBench.ts';
import { runPushBench } from './pushBench.ts';
import { runMemberBytesBench } from './memberBytes.ts';
import { runReimportBench } from './reimportBench.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** Rows used for the ingest-rate comparison (the end-to-end run sends the whole file). */
const INGEST_ROWS = Math.min(ROWS, Number(process.env.BENCH_INGEST_ROWS ?? 200_000));
const FILE = `bench-data/audience-${ROWS}.csv`;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} rows/s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  console.log(`# Benchmark — ${cpus().length} cores, Node ${process.version}`);
  if (process.env.BENCH_ONLY_CRM === '1') return runCrmBench();
  if (process.env.BENCH_ONLY_AUDIENCE === '1') return runAudienceBench();
  if (process.env.BENCH_ONLY_SYNC === '1') return runSyncBench();
  if (process.env.BENCH_ONLY_PUSH === '1') return runPushBench();
  if (process.env.BENCH_ONLY_MEMBER_BYTES === '1') return void (await runMemberBytesBench());
  if (process.env.BENCH_ONLY_TAB_PRIVATE === '1') return tabPrivateSection();
  if (process.env.BENCH_ONLY_REIMPORT === '1') return runReimportBench();
  const onlyIngest = process.env.BENCH_ONLY_INGEST === '1';
  const { bytes } = await generateCsv(FILE, ROWS);
  console.log(`file: ${FILE}, ${mb(bytes)}, ${ROWS.toLocaleString('en-US')} rows × ${BENCH_HEADERS.length} columns`);
  if (!onlyIngest) await parseSection(bytes);
  await ingestSection(bytes, onlyIngest);
  if (onlyIngest) return;
  // 4b. End to end in the tab, privacy mode: the real SPA seals and sends the whole file (its own server).
  if (process.env.BENCH_SKIP_TAB !== '1' && process.env.BENCH_SKIP_TAB_PRIVATE !== '1') await tabPrivateSection();

  // 5. CRM pulls (crmBench.ts): its own wrangler dev, configured for the fakes, once the one above has stopped.
  if (process.env.BENCH_SKIP_CRM !== '1') await runCrmBench();
  // 6. Audience management: undo of a large import, export of a large audience (audienceBench.ts), its own server.
  if (process.env.BENCH_SKIP_AUDIENCE !== '1') await runAudienceBench();
  // 7. Syncs run by the Workflow (syncBench.ts): full runs from both fakes, incremental runs on large audiences.
  if (process.env.BENCH_SKIP_SYNC !== '1') await runSyncBench();
  // 8. Sync to CRM (pushBench.ts): a push of a whole audience to the fake Salesforce vs the fake's own accept rate.
  if (process.env.BENCH_SKIP_PUSH !== '1') await runPushBench();
  // 9. Storage: bytes per member (table + indexes) of the bench's columns, from SQLite's dbstat (memberBytes.ts).
  if (process.env.BENCH_SKIP_MEMBER_BYTES !== '1') await runMemberBytesBench();
  // 10. Re-import: the same rows imported again, every row merging into a stored member (reimportBench.ts).
  if (process.env.BENCH_SKIP_REIMPORT !== '1') await runReimportBench();
}

async function parseSection(bytes: number): Promise<void> {
  // 1. Parse: papaparse alone vs the app's reader (and the reader + packing into the tab's row store), median of 3.
  const papa: number[] = [];
  const app: number[] = [];
  const appPacked: number[] = [];
  for (let i = 0; i < 3; i++) {
    papa.push((await parseWithPapa(FILE)).seconds);
    gc();
    app.push((await parseWithApp(FILE, false)).seconds);
    gc();
    appPacked.push((await parseWithApp(FILE, true)).seconds);
    gc();
  }
  const tPapa = median(papa);
  const tApp = median(app);
  const tPacked = median(appPacked);
  console.log('\n## Parse (median of 3)');
  console.log(`papaparse arrays:           ${tPapa.toFixed(2)} s  ${(bytes / 1e6 / tPapa).toFixed(0)} MB/s  ${rate(ROWS, tPapa)}`);
  console.log(`app reader:                 ${tApp.toFixed(2)} s  ${(bytes / 1e6 / tApp).toFixed(0)} MB/s  ${rate(ROWS, tApp)}  → ${(tPapa / tApp).toFixed(2)}× papaparse`);
  console.log(`app reader + row store:     ${tPacked.toFixed(2)} s  ${(bytes / 1e6 / tPacked).toFixed(0)} MB/s  ${rate(ROWS, tPacked)}  → ${(tPapa / tPacked).toFixed(2)}× papaparse`);

}

async function ingestSection(bytes: number, onlyIngest: boolean): Promise<void> {
  // Headers for the import mapping (the tab measurement below is the memory figure that counts: Node's
  // TextDecoder yields two-byte strings even for Latin-1 text where Chromium's yields one-byte ones).
  const held = await parseWithApp(FILE, false);

  // 3. Ingest: the Worker in wrangler dev with local D1 (normalize + hash + encrypt 2 sensitive columns + insert)
  //    vs raw SQLite inserting the same rows.
  const sample: string[][] = [];
  const reader = createCsvReader({}, (rows) => {
    for (const r of rows) if (sample.length < INGEST_ROWS) sample.push(r);
  });
  for await (const b of createReadStream(FILE, { highWaterMark: 1 << 20 })) {
    reader.push(b as Uint8Array);
    if (sample.length >= INGEST_ROWS) break;
  }
  const headers = held.headers;
  // BENCH_INGEST_DEVTOOLS=0: both servers without wrangler's DevTools inspector proxy (dev tooling that copies every
  // subrequest's answer, D1's included, to wrangler's Node process; absent on Cloudflare). Default: with it, as before.
  const ingestDevtools = process.env.BENCH_INGEST_DEVTOOLS !== '0';
  const server = await startLocalServer({}, { devtools: ingestDevtools });
  const product: { label: string; seconds: number; cpu: number; workerd: number; counts: string; privacy?: true }[] = [];
  // Kept past the product's runs: the floor (below) is sent the same sealed batches.
  let privateBatches: PrivateBatch[] = [];
  let sealingKey: WorkspaceSealingKey | null = null;
  let tSeal = 0;
  let e2ePrivateLine = '';
  let e2eLine = '';
  try {
    if (process.env.BENCH_SKIP_TAB !== '1' && !onlyIngest) {
      const tab = await measureTab(server.baseUrl, server.admin, FILE);
      console.log('\n## In the tab (headless Chromium, the real SPA: Web Worker parse + row store + grid)');
      console.log(`first rows on screen after ${tab.firstRowsSeconds.toFixed(2)} s; whole file parsed in ${tab.parseSeconds.toFixed(1)} s (${tab.rows} rows, ${rate(ROWS, tab.parseSeconds)})`);
      console.log(`JS heap held by the parsed file: ${mb(tab.retainedBytes)} after GC (${(tab.retainedBytes / bytes).toFixed(2)}× the file), peak sampled ${mb(tab.peakBytes)} (${(tab.peakBytes / bytes).toFixed(2)}×)`);
    }

    // 3a. Server-side sealing, then 3b. privacy mode: the same rows sealed here first, as the tab's parse pool does
    // (timed apart), then sent; each with one batch in flight and with IN_FLIGHT (the Worker keeps their order).
    sealingKey = await sealingKeyOf(server.baseUrl);
    privateBatches = [];
    if (sealingKey) {
      const tSeal0 = performance.now();
      for (let first = 0; first < sample.length; first += BATCH_ROWS) privateBatches.push(await sealBatch(sealingKey, first + 1, sample.slice(first, first + BATCH_ROWS)));
      tSeal = (performance.now() - tSeal0) / 1000;
    }
    for (const inFlight of IN_FLIGHT > 1 ? [1, IN_FLIGHT] : [1]) {
      const t0 = performance.now();
      const cpu0 = processGroupCpuSeconds(server.groupId);
      const workerd0 = processGroupWorkerdCpuSeconds(server.groupId);
      const sender = await ImportSender.start(server.baseUrl, benchImportBody(headers, `bench ingest ${inFlight}`, sample.length), inFlight);
      for (let i = 0; i < sample.length; i++) await sender.add(i + 1, sample[i] as string[]);
      const counts = await sender.finish();
      product.push({ label: `product, server-side sealing (${inFlight} in flight):`, seconds: (performance.now() - t0) / 1000, cpu: processGroupCpuSeconds(server.groupId) - cpu0, workerd: processGroupWorkerdCpuSeconds(server.groupId) - workerd0, counts: `inserted ${counts.inserted}, rejected ${counts.rejected}` });
      if (!sealingKey) continue;
      const t = performance.now();
      const cpu = processGroupCpuSeconds(server.groupId);
      const workerd = processGroupWorkerdCpuSeconds(server.groupId);
      const privateSender = await ImportSender.start(server.baseUrl, { ...benchImportBody(headers, `bench private ${inFlight}`, sample.length), privacyMode: true }, inFlight);
      if (!privateSender.privacyMode) continue;
      for (const batch of privateBatches) await privateSender.put(batch);
      const c = await privateSender.finish();
      product.push({ label: `product, privacy mode (${inFlight} in flight):`, seconds: (performance.now() - t) / 1000, cpu: processGroupCpuSeconds(server.groupId) - cpu, workerd: processGroupWorkerdCpuSeconds(server.groupId) - workerd, counts: `inserted ${c.inserted}, rejected ${c.rejected}`, privacy: true });
    }

    // 4. End to end: the whole file read, parsed, batched and stored, parse and upload overlapping as in the tab.
    if (process.env.BENCH_SKIP_E2E !== '1') {
      const t1 = performance.now();
      const e2e = await ImportSender.start(server.baseUrl, benchImportBody(headers, 'bench end-to-end', ROWS), IN_FLIGHT);
      let queue: Promise<void> = Promise.resolve();
      let rowNumber = 0;
      const r2 = createCsvReader({}, (rows) => {
        const first = rowNumber + 1;
        rowNumber += rows.length;
        queue = queue.then(async () => {
          for (let i = 0; i < rows.length; i++) await e2e.add(first + i, rows[i] as string[]);
        });
      });
      for await (const b of createReadStream(FILE, { highWaterMark: 1 << 20 })) {
        r2.push(b as Uint8Array);
        await queue; // back-pressure: never hold more than one read chunk of rows in flight
      }
      r2.end();
      await queue;
      const c2 = await e2e.finish();
      const tE2e = (performance.now() - t1) / 1000;
      e2eLine = `${tE2e.toFixed(1)} s  ${rate(ROWS, tE2e)}  (inserted ${c2.inserted}, rejected ${c2.rejected}, duplicates ${c2.duplicates})`;
      if (sealingKey && product.some((p) => p.privacy)) e2ePrivateLine = await endToEndPrivate(server.baseUrl, headers, sealingKey);
    }
  } finally {
    server.stop();
  }

  // The ceiling: the bare Worker (bareWorker/index.ts) under its own wrangler dev, after the product's has stopped,
  // on the same rows and batch size — one batch in flight and two, as the product is sent.
  const bare = await startBareServer({ devtools: ingestDevtools });
  const tBare: number[] = [];
  const cpuBare: number[] = [];
  const workerdBare: number[] = [];
  const floor: { label: string; seconds: number; cpu: number; workerd: number }[] = [];
  let statements: Awaited<ReturnType<typeof bareStatements>> = [];
  try {
    for (const inFlight of [1, 2]) {
      const t = performance.now();
      const cpu = processGroupCpuSeconds(bare.groupId);
      const workerd = processGroupWorkerdCpuSeconds(bare.groupId);
      const n = await sendToBare(bare.baseUrl, `bare-${inFlight}`, BENCH_TARGETS, sample, BATCH_ROWS, inFlight);
      if (n !== sample.length) throw new Error(`bare Worker (${inFlight} in flight) stored ${n} of ${sample.length} rows`);
      tBare.push((performance.now() - t) / 1000);
      cpuBare.push(processGroupCpuSeconds(bare.groupId) - cpu);
      workerdBare.push(processGroupWorkerdCpuSeconds(bare.groupId) - workerd);
    }
    statements = await bareStatements(bare.baseUrl, 'raw', BENCH_TARGETS, sample, BATCH_ROWS);
    // The floor (bareWorker/floor.ts): the bare write plus only what issue 12 requires of each member.
    const floorRuns: { label: string; send: (audienceId: string, inFlight: number) => Promise<number> }[] = [
      {
        label: 'server-side sealing',
        send: (audienceId, inFlight) => sendToFloor(bare.baseUrl, audienceId, BENCH_TARGETS, { kind: 'server', rows: sample, batchRows: BATCH_ROWS, sensitive: BENCH_SENSITIVE }, inFlight),
      },
      ...(privateBatches.length ? [{ label: 'privacy mode', send: (audienceId: string, inFlight: number) => sendToFloor(bare.baseUrl, audienceId, BENCH_TARGETS, { kind: 'private', batches: privateBatches }, inFlight) }] : []),
    ];
    for (const run of floorRuns) {
      for (const inFlight of [1, 2]) {
        const t = performance.now();
        const cpu = processGroupCpuSeconds(bare.groupId);
        const workerd = processGroupWorkerdCpuSeconds(bare.groupId);
        const n = await run.send(`floor-${run.label.split(' ')[0]}-${inFlight}`, inFlight);
        if (n !== sample.length) throw new Error(`floor, ${run.label} (${inFlight} in flight) stored ${n} of ${sample.length} rows`);
        floor.push({ label: `floor, ${run.label} (${inFlight} in flight):`, seconds: (performance.now() - t) / 1000, cpu: processGroupCpuSeconds(bare.groupId) - cpu, workerd: processGroupWorkerdCpuSeconds(bare.groupId) - workerd });
      }
    }
  } finally {
    bare.stop();
    privateBatches = [];
  }
  const { seconds: tSqlite } = insertWithSqlite(statements, 'raw');
  statements = [];
  const [tBare1, tBare2] = tBare as [number, number];
  const [cpuBare1, cpuBare2] = cpuBare as [number, number];
  const n = sample.length;
  // Server CPU: wrangler dev's processes (its proxy and workerd, the Worker and local D1 together) per row.
  const [workerdBare1, workerdBare2] = workerdBare as [number, number];
  // Server CPU, and in brackets workerd's part (the Worker, local D1): the rest is wrangler dev's Node proxy.
  const line = (label: string, t: number, cpu?: number, workerd?: number) =>
    `${label.padEnd(46)}${t.toFixed(2).padStart(6)} s ${rate(n, t).padStart(15)}${cpu === undefined ? ''.padEnd(38) : `  server CPU ${((cpu / n) * 1e6).toFixed(0).padStart(4)} µs/row (workerd ${(((workerd ?? 0) / n) * 1e6).toFixed(0).padStart(3)})`}`;
  console.log(`\n## Ingest (${n.toLocaleString('en-US')} rows, batches of ${BATCH_ROWS.toLocaleString('en-US')}; the product's members table everywhere; wrangler dev ${ingestDevtools ? 'with' : 'without'} its DevTools proxy)`);
  for (const p of product) {
    console.log(
      `${line(p.label, p.seconds, p.cpu, p.workerd)}  → ${(tBare1 / p.seconds).toFixed(2)}× bare 1, ${(tBare2 / p.seconds).toFixed(2)}× bare 2 (CPU ${(cpuBare1 / p.cpu).toFixed(2)}×, workerd ${(workerdBare1 / p.workerd).toFixed(2)}×)  (${p.counts})`,
    );
  }
  if (product.some((p) => p.privacy)) {
    console.log(`${line('  privacy mode sealing here, before sending:', tSeal)}  (normalise, SHA-256, AES-GCM: what the tab's pool does)`);
  } else {
    console.log(`product, privacy mode: ${sealingKey ? 'the Worker did not take the import in privacy mode' : 'not in this build (no /api/privacy/key)'}`);
  }
  console.log(`${line('bare Worker + local D1 (1 in flight):', tBare1, cpuBare1, workerdBare1)}  → ${(tSqlite / tBare1).toFixed(2)}× raw SQLite`);
  console.log(`${line('bare Worker + local D1 (2 in flight):', tBare2, cpuBare2, workerdBare2)}  → ${(tSqlite / tBare2).toFixed(2)}× raw SQLite`);
  for (const f of floor) {
    console.log(`${line(f.label, f.seconds, f.cpu, f.workerd)}  → ${(tBare1 / f.seconds).toFixed(2)}× bare 1, ${(tBare2 / f.seconds).toFixed(2)}× bare 2 (CPU ${(cpuBare1 / f.cpu).toFixed(2)}×)`);
  }
  if (floor.length) console.log('  (floor: the bare write plus only the keyed hashes and sealing issue 12 requires, nothing else; the product can be no faster)');
  console.log(line('raw SQLite (better-sqlite3, one transaction):', tSqlite));
  const serverSide = product.find((p) => !p.privacy);
  if (serverSide) console.log(`→ product (server-side sealing, 1 in flight) ${(tSqlite / serverSide.seconds).toFixed(3)}× raw SQLite`);
  sample.length = 0;

  if (e2eLine) {
    console.log(`\n## End to end (${ROWS.toLocaleString('en-US')} rows: parse → batches → Worker → D1, driven from Node)`);
    console.log(`server-side sealing: ${e2eLine}`);
    if (e2ePrivateLine) console.log(`privacy mode:        ${e2ePrivateLine}`);
  }
}

/**
 * The whole file in privacy mode, driven from Node as the tab drives it: read and parse, each batch normalised,
 * hashed and sealed here while the previous ones are on their way (at most two sealed ahead), sent in seq order.
 */
async function endToEndPrivate(baseUrl: string, headers: string[], key: WorkspaceSealingKey): Promise<string> {
  const t = performance.now();
  const sender = await ImportSender.start(baseUrl, { ...benchImportBody(headers, 'bench end-to-end private', ROWS), privacyMode: true }, IN_FLIGHT);
  const sealed: Promise<PrivateBatch>[] = [];
  let sending: Promise<void> = Promise.resolve();
  let pending: string[][] = [];
  let rowNumber = 0;
  let sentRows = 0;
  let failed: unknown = null;
  const sendNext = () => {
    const batch = sealed.shift() as Promise<PrivateBatch>;
    batch.catch(() => {}); // awaited in order below; a failure surfaces there
    sending = sending.then(async () => {
      if (failed) return;
      try {
        const b = await batch;
        await sender.put(b);
        sentRows += b.rows.length;
      } catch (e) {
        failed = e;
      }
    });
  };
  const enqueue = (rows: string[][]) => {
    sealed.push(sealBatch(key, rowNumber + 1, rows));
    rowNumber += rows.length;
    sendNext();
  };
  const reader = createCsvReader({}, (rows) => {
    for (const r of rows) {
      pending.push(r);
      if (pending.length === BATCH_ROWS) {
        enqueue(pending);
        pending = [];
      }
    }
  });
  for await (const b of createReadStream(FILE, { highWaterMark: 1 << 20 })) {
    reader.push(b as Uint8Array);
    // Back-pressure: seal at most two batches ahead of what has been sent.
    while (rowNumber - sentRows > 2 * BATCH_ROWS && !failed) await new Promise((r) => setTimeout(r, 5));
    if (failed) throw failed;
  }
  reader.end();
  if (pending.length) enqueue(pending);
  await sending;
  if (failed) throw failed;
  const c = await sender.finish();
  const seconds = (performance.now() - t) / 1000;
  return `${seconds.toFixed(1)} s  ${rate(ROWS, seconds)}  (inserted ${c.inserted}, rejected ${c.rejected}, duplicates ${c.duplicates})`;
}

/**
 * A privacy-mode import of the file driven through the real SPA in headless Chromium (measureTabPrivate), on a
 * fresh server of its own so the other sections' figures are not taken on a D1 holding its million members.
 * BENCH_TAB_PRIVATE_ROWS: a smaller file (the first rows of the same generated data) for quick tries.
 */
async function tabPrivateSection(): Promise<void> {
  const rows = Number(process.env.BENCH_TAB_PRIVATE_ROWS ?? ROWS);
  const file = `bench-data/audience-${rows}.csv`;
  const { bytes } = await generateCsv(file, rows);
  const server = await startLocalServer();
  let run: Awaited<ReturnType<typeof measureTabPrivate>>;
  try {
    run = await measureTabPrivate(server.baseUrl, server.admin, file, BENCH_TARGETS, () => processGroupCpuSeconds(server.groupId));
  } finally {
    server.stop();
  }
  const s = (x: number) => `${x.toFixed(1)} s`;
  const share = (x: number) => `${Math.round((100 * x) / run.saveSeconds)} %`;
  const m = run.memory;
  const ofFile = (n: number) => `${mb(n)} (${(n / bytes).toFixed(2)}× the file)`;
  console.log(`\n## End to end in the tab, privacy mode (headless Chromium, the real SPA; ${file}, ${mb(bytes)}, ${run.rows.toLocaleString('en-US')} rows; load ${loadAverage()})`);
  console.log(`total ${s(run.totalSeconds)}  ${rate(run.rows, run.totalSeconds)}: parse ${s(run.parseSeconds)}, mapping by the script ${s(run.totalSeconds - run.parseSeconds - run.saveSeconds)}, save ${s(run.saveSeconds)} (${rate(run.rows, run.saveSeconds)})`);
  console.log(`sealed in the tab: ${run.sealedColumns.map((c) => `“${c}”`).join(', ')} of ${run.importedColumns} imported columns; report: received ${run.received}, inserted ${run.inserted}, rejected ${run.rejected}`);
  console.log(`save, ${run.batches} batches: start (import, key, fields) ${s(run.startSeconds)}; finish + report ${s(run.finishSeconds)}`);
  console.log(`  waiting on the Worker (a PUT in flight) ${s(run.putCoveredSeconds)} = ${share(run.putCoveredSeconds)} of the save (summed over PUTs ${s(run.putSumSeconds)})`);
  console.log(`  waiting for a sealed batch ${s(run.sealWaitSeconds)} = ${share(run.sealWaitSeconds)}; sealing in ${run.poolSize} pool worker(s) ${s(run.sealSumSeconds)} summed, ${s(run.sealCoveredSeconds)} covered`);
  console.log(`    the pool's steps: checking and normalising ${s(run.judgeSeconds)}, SHA-256 + sealing ${s(run.cryptoSeconds)}, JSON + UTF-8 ${s(run.encodeSeconds)}`);
  console.log(`  tab's thread: building batch rows ${s(run.buildSeconds)}, posting them to the pool ${s(run.postSeconds)}`);
  const perRow = (cpu: number) => `${((cpu / run.rows) * 1e6).toFixed(0)} µs/row`;
  console.log(`CPU during the save: Chromium (all its processes) ${s(run.browserCpuSeconds)} = ${perRow(run.browserCpuSeconds)}; server (wrangler dev + workerd + local D1) ${s(run.serverCpuSeconds)} = ${perRow(run.serverCpuSeconds)}; both on 2 cores, at best ${s((run.browserCpuSeconds + run.serverCpuSeconds) / 2)}`);
  console.log(`memory, page JS heap (main thread, after GC): parsed file ${ofFile(m.heapAfterParse)}; peak sampled while saving ${ofFile(m.heapPeakDuringSave)}`);
  if (m.liveHeapPeakDuringSave !== null) console.log(`  live heap (after a GC forced every 2 s while saving): peak ${ofFile(m.liveHeapPeakDuringSave)}`);
  if (m.snapshotMidSave) console.log(`  heap snapshot halfway through the save (live objects): ${m.snapshotMidSave.map((g) => `${g.name} ${mb(g.bytes)} (${g.count.toLocaleString('en-US')})`).join(', ')}`);
  console.log(`  Chromium's CPU by thread: ${run.threadCpu.slice(0, 8).map((t) => `${t.name} ${s(t.seconds)}`).join(', ')}`);
  const samples = m.saveTimeline;
  const tenth = samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 10)) === 0);
  const peakAt = samples.reduce((best, t, i) => (t.heap > (samples[best]?.heap ?? -1) ? i : best), 0);
  console.log(`  heap peak at ${samples[peakAt]?.seconds.toFixed(1)} s of the save; samples around it (s: MB): ${samples.slice(Math.max(0, peakAt - 3), peakAt + 4).map((t) => `${t.seconds.toFixed(1)}: ${(t.heap / 1e6).toFixed(0)}`).join(', ')}`);
  console.log(`  while saving (s: heap / RSS over the empty page, MB): ${tenth.map((t) => `${t.seconds.toFixed(0)}: ${(t.heap / 1e6).toFixed(0)}/${(t.rss / 1e6).toFixed(0)}`).join(', ')}`);
  console.log(`memory, renderer process RSS (main thread + workers + Blink) over the empty page (${mb(m.rssBaseline)}): peak while parsing ${ofFile(m.rssPeakDuringParse)}, after the parse ${ofFile(m.rssAfterParse)}, peak while saving ${ofFile(m.rssPeakDuringSave)} → sealing and sending add ${ofFile(m.rssPeakDuringSave - m.rssAfterParse)}`);
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
