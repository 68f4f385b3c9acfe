import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';
import { openBrowser, type OpenBrowser } from '../../test/browser/chromium.ts';
import { statValue } from '../../test/browser/crmSteps.ts';
import { SAVE_TIMINGS } from '../../web/import/saveTimings.ts';
import { sealWorkerCount } from '../../web/import/sealPool.ts';
import type { BenchAdmin } from './localServer.ts';

export type TabRun = { firstRowsSeconds: number; parseSeconds: number; retainedBytes: number; peakBytes: number; rows: string };

/** A browser signed in as the bench's first-run admin, as a person signs in (a session cookie in its profile). */
async function signedInBrowser(baseUrl: string, admin: BenchAdmin): Promise<OpenBrowser> {
  const browser = await openBrowser(baseUrl, { signedIn: false });
  const signIn = await browser.context.request.post(`${baseUrl}/api/auth/sign-in/email`, { data: admin, headers: { origin: baseUrl } });
  if (!signIn.ok()) {
    await browser.close();
    throw new Error(`signing the bench's browser in failed: ${signIn.status()} ${await signIn.text()}`);
  }
  return browser;
}

/** The page's JS heap (its main thread's isolate; workers have their own), after a GC when asked. */
async function heapUsed(cdp: CDPSession, collect: boolean): Promise<number> {
  if (collect) await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

/**
 * A heap snapshot of the page (live objects only: taking one collects garbage first), summed by what V8 calls each
 * node (a constructor's name, "(string)", "(array)", …): the largest groups by their own size.
 */
async function heapSnapshotSummary(cdp: CDPSession, top = 15): Promise<{ name: string; count: number; bytes: number }[]> {
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }) => chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  const snapshot = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = snapshot.snapshot.meta.node_types[0];
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt] as number] ?? '?';
    const name = type === 'object' || type === 'closure' || type === 'native' ? (snapshot.strings[snapshot.nodes[i + nameAt] as number] ?? '?') : `(${type})`;
    const group = groups.get(name) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += snapshot.nodes[i + sizeAt] as number;
    groups.set(name, group);
  }
  return [...groups].map(([name, g]) => ({ name, ...g })).sort((a, b) => b.bytes - a.bytes).slice(0, top);
}

type ChromiumProcess = { pid: number; renderer: boolean; rssBytes: number; cpuSeconds: number };

/**
 * The Chromium processes this bench started (descendants of this process), from /proc: whether each is a renderer,
 * its resident memory and the CPU time it used so far (user + system; USER_HZ is 100).
 */
function chromiumProcesses(): ChromiumProcess[] {
  const stats = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name (in parentheses, which may hold spaces): state ppid … utime(14) stime(15) … rss(24).
      stats.set(Number(entry), stat.slice(stat.lastIndexOf(')') + 2).split(' '));
    } catch {
      /* the process ended meanwhile */
    }
  }
  const parent = (pid: number) => Number(stats.get(pid)?.[1]);
  const descends = (pid: number) => {
    for (let p = parent(pid); p > 1; p = parent(p)) if (p === process.pid) return true;
    return false;
  };
  const found: ChromiumProcess[] = [];
  for (const [pid, fields] of stats) {
    if (!descends(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('chrom')) continue;
      found.push({
        pid,
        renderer: cmdline.includes('--type=renderer'),
        rssBytes: Number(fields[21]) * 4096,
        cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
      });
    } catch {
      /* the process ended meanwhile */
    }
  }
  return found;
}

/**
 * The resident memory of the page's renderer process: what the OS gives the tab — its main thread, its Web
 * Workers (threads of the same process: the parse worker and the seal pool), their heaps, buffers and Blink.
 * The largest renderer this bench started (a spare renderer may exist).
 */
const rendererRssBytes = () => Math.max(0, ...chromiumProcesses().filter((p) => p.renderer).map((p) => p.rssBytes));

/**
 * CPU seconds used so far by each thread of the browser's processes, by process type and thread name ("renderer
 * CrRendererMain", "renderer DedicatedWorker thread", "utility ThreadPoolForeg", …): where the tab's CPU goes.
 */
function chromiumThreadCpu(): Map<string, number> {
  const byName = new Map<string, number>();
  for (const p of chromiumProcesses()) {
    let kind = 'browser';
    try {
      kind = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${p.pid}/cmdline`, 'utf8'))?.[1] ?? 'browser';
      for (const tid of readdirSync(`/proc/${p.pid}/task`)) {
        const stat = readFileSync(`/proc/${p.pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${kind} ${name}`;
        byName.set(key, (byName.get(key) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
      }
    } catch {
      /* the process or thread ended meanwhile */
    }
  }
  return byName;
}

/** CPU seconds used so far by the browser's processes: renderers (page, workers, WebCrypto), network, browser. */
const chromiumCpuSeconds = () => chromiumProcesses().reduce((sum, p) => sum + p.cpuSeconds, 0);

/** Waits until the page says the whole file is parsed (the row count without "…", no parse progress). */
async function waitParsed(page: OpenBrowser['page']): Promise<void> {
  await page.locator('[data-testid=row-count]').waitFor({ timeout: 120_000 });
  await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=row-count]');
      return el !== null && !el.textContent?.includes('…') && document.querySelector('[data-testid=parse-progress]') === null;
    },
    undefined,
    { timeout: 600_000, polling: 100 },
  );
}

/**
 * The real SPA in headless Chromium: drop the file on the import page, time the first rows and the whole parse
 * (Web Worker + row store + grid), and read the tab's JS heap through the DevTools protocol — retained after GC,
 * and the highest sample seen while parsing.
 */
export async function measureTab(baseUrl: string, admin: BenchAdmin, file: string): Promise<TabRun> {
  const browser = await signedInBrowser(baseUrl, admin);
  try {
    const { page, context } = browser;
    await page.goto('/import');
    const cdp = await context.newCDPSession(page);
    const baseline = await heapUsed(cdp, true);
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await heapUsed(cdp, false));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const start = performance.now();
    await page.locator('input[type=file]').setInputFiles(file);
    await page.locator('[data-testid=row-count]').waitFor({ timeout: 120_000 });
    const firstRowsSeconds = (performance.now() - start) / 1000;
    await waitParsed(page);
    const parseSeconds = (performance.now() - start) / 1000;
    sampling = false;
    await sampler;
    const rows = (await page.locator('[data-testid=row-count]').textContent())?.trim() ?? '?';
    const retained = (await heapUsed(cdp, true)) - baseline;
    return { firstRowsSeconds, parseSeconds, retainedBytes: retained, peakBytes: peak - baseline, rows };
  } finally {
    await browser.close();
  }
}

/** Seconds covered by at least one of the intervals (in-flight requests may overlap). */
function coveredSeconds(intervals: readonly { start: number; end: number }[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let from = 0;
  let to = 0;
  for (const { start, end } of sorted) {
    if (start > to) {
      total += to - from;
      from = start;
      to = end;
    } else to = Math.max(to, end);
  }
  total += to - from;
  return total / 1000;
}

export interface TabPrivateRun {
  /** Data rows the page counted, and what the report says of them. */
  rows: number;
  received: string;
  inserted: string;
  rejected: string;
  sealedColumns: string[];
  importedColumns: number;
  /** File chosen → whole file parsed; Save pressed → the report on screen; the two with the mapping between. */
  parseSeconds: number;
  saveSeconds: number;
  totalSeconds: number;
  /** Save pressed → the first batch being built (the import started, the key and fields fetched). */
  startSeconds: number;
  /** Last batch answered → the report on screen (finish, report load). */
  finishSeconds: number;
  batches: number;
  /** The tab's thread: building batch rows from the row store, and posting them to a pool worker (structured clone). */
  buildSeconds: number;
  postSeconds: number;
  /** The pool: summed over batches (busy time of all workers), and the time at least one worker was sealing. */
  sealSumSeconds: number;
  sealCoveredSeconds: number;
  /** The pool workers' steps, summed: checking and normalising, SHA-256 and AES-GCM, JSON and UTF-8. */
  judgeSeconds: number;
  cryptoSeconds: number;
  encodeSeconds: number;
  /** CPU time used during the save (Save pressed → report) by Chromium's processes, and by the server. */
  browserCpuSeconds: number;
  serverCpuSeconds: number;
  /** Chromium's CPU during the save by process type and thread name, largest first (threads that ended not counted). */
  threadCpu: { name: string; seconds: number }[];
  /** The send loop waiting for a sealed body: sealing was the limit for that long. */
  sealWaitSeconds: number;
  /** Time at least one PUT was waiting for the Worker's answer. */
  putCoveredSeconds: number;
  putSumSeconds: number;
  poolSize: number;
  memory: {
    /** Main-thread JS heap after GC: before the file, after the parse, after the save (on the report). */
    heapBaseline: number;
    heapAfterParse: number;
    heapPeakDuringSave: number;
    /** BENCH_TAB_LIVE_HEAP=1: the peak of the heap after a GC forced every 2 s while saving (live objects, no garbage). */
    liveHeapPeakDuringSave: number | null;
    /** BENCH_TAB_HEAP_SNAPSHOT=1: a heap snapshot halfway through the save, its largest groups. */
    snapshotMidSave: { name: string; count: number; bytes: number }[] | null;
    /** Renderer process RSS: before the file, after the parse, highest sample while saving. */
    rssBaseline: number;
    rssAfterParse: number;
    rssPeakDuringSave: number;
    rssPeakDuringParse: number;
    /** Every sample taken while saving: seconds since Save, heap and RSS over their baselines. */
    saveTimeline: { seconds: number; heap: number; rss: number }[];
  };
}

/**
 * A privacy-mode import of the whole file through the real SPA: file chosen → parsed → mapped (the SPA's
 * suggestions, the rest mapped to `targets`, customer id the identifier, email and mobile sensitive) → privacy mode → consent → Save → the
 * report. The phase split comes from the User Timing measures the save records (web/import/saveTimings.ts);
 * memory from the page's JS heap (DevTools protocol) and the renderer process's RSS (/proc), sampled every 250 ms.
 */
export async function measureTabPrivate(
  baseUrl: string,
  admin: BenchAdmin,
  file: string,
  targets: readonly string[],
  /** CPU seconds used so far by the server (wrangler dev's process group). */
  serverCpuSeconds: () => number,
): Promise<TabPrivateRun> {
  const browser = await signedInBrowser(baseUrl, admin);
  let sampling = true;
  try {
    const { page, context } = browser;
    // BENCH_TAB_CORES=n: the page is told it has n cores, so the seal pool starts n − 1 workers (at most 4) on
    // whatever the machine has: how the pool's size plays out here, without a switch in the SPA.
    const cores = Number(process.env.BENCH_TAB_CORES ?? 0);
    if (cores > 0) await context.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), cores);
    await page.goto('/import');
    const cdp = await context.newCDPSession(page);
    const heapBaseline = await heapUsed(cdp, true);
    const rssBaseline = rendererRssBytes();
    let heapPeak = 0;
    let rssPeak = 0;
    let saveStart = 0;
    const timeline: { seconds: number; heap: number; rss: number }[] = [];
    // Forced GCs and a snapshot pause the page: only when asked, never in the figures of a plain run.
    const liveHeap = process.env.BENCH_TAB_LIVE_HEAP === '1';
    const takeSnapshot = process.env.BENCH_TAB_HEAP_SNAPSHOT === '1';
    let liveHeapPeak = 0;
    let samplesWhileSaving = 0;
    let snapshotMidSave: Awaited<ReturnType<typeof heapSnapshotSummary>> | null = null;
    let rowsSaved = () => Promise.resolve(0);
    const sampler = (async () => {
      while (sampling) {
        if (saveStart > 0 && liveHeap && samplesWhileSaving++ % 8 === 0) liveHeapPeak = Math.max(liveHeapPeak, await heapUsed(cdp, true));
        if (saveStart > 0 && takeSnapshot && !snapshotMidSave && (await rowsSaved()) >= 0.5) snapshotMidSave = await heapSnapshotSummary(cdp);
        // Only a sample taken wholly after Save was clicked counts for the save's heap peak: one started before it
        // holds the mapping's garbage, which the GC before heapAfterParse would have collected.
        const saving = saveStart > 0;
        const heap = await heapUsed(cdp, false);
        const rss = rendererRssBytes();
        if (saving) heapPeak = Math.max(heapPeak, heap);
        rssPeak = Math.max(rssPeak, rss);
        if (saveStart > 0) timeline.push({ seconds: (performance.now() - saveStart) / 1000, heap, rss });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    // A failure below closes the browser under the sampler: the failure is the news, not the sampler's.
    sampler.catch(() => {});

    const start = performance.now();
    await page.getByLabel('CSV file to import').setInputFiles(file);
    await waitParsed(page);
    const parseSeconds = (performance.now() - start) / 1000;
    const rssPeakDuringParse = rssPeak;
    const rows = Number(((await page.getByTestId('row-count').textContent()) ?? '').replace(/\D/g, ''));

    // The mapping of the bench's other runs: every column to its field (the SPA's suggestions stand, saving imports
    // them as suggested; a column it leaves out is mapped in its picker), customer id the identifier, email and
    // mobile the only sensitive columns.
    const identifier = page.getByTestId('identifier-0');
    if ((await identifier.getAttribute('aria-pressed')) !== 'true') await identifier.click();
    let importedColumns = 0;
    for (let col = 0; col < targets.length; col++) {
      const mapTo = page.getByTestId(`map-to-${col}`);
      // The grid renders only the columns in view: scroll right until this one is there.
      for (let tries = 0; (await mapTo.count()) === 0 && tries < 50; tries++) {
        await page.locator('.mg-scroller').evaluate((el) => el.scrollBy({ left: 300 }));
        await page.waitForTimeout(50);
      }
      if (((await mapTo.textContent()) ?? '').includes("Don't import")) {
        await mapTo.click();
        await page.getByTestId(`field-option-${targets[col]}`).click();
      }
      if (!((await mapTo.textContent()) ?? '').includes("Don't import")) importedColumns++;
      const sensitive = page.getByTestId(`sensitive-${col}`);
      if (((await sensitive.getAttribute('aria-pressed')) === 'true') !== (col === 1 || col === 2)) await sensitive.click();
    }
    await page.getByLabel('Default country for phone numbers').selectOption('US');
    await page.getByLabel('New audience name').fill('Bench private (tab)');
    await page.getByTestId('privacy-choice').getByRole('checkbox').check();
    const sealedText = (await page.getByTestId('privacy-columns').textContent()) ?? '';
    const sealedColumns = [...sealedText.matchAll(/“([^”]+)”/g)].map((m) => m[1] as string);
    await page.getByLabel('I confirm double opt-in consent was obtained for every contact in this list').check();
    const save = page.getByRole('button', { name: 'Save', exact: true });
    if (!(await save.isEnabled())) throw new Error(`Save is not possible: ${await page.getByTestId('save-reason').textContent()}`);

    heapPeak = 0;
    rssPeak = 0;
    const heapAfterParse = await heapUsed(cdp, true);
    const rssAfterParse = rendererRssBytes();
    const poolSize = sealWorkerCount(await page.evaluate(() => navigator.hardwareConcurrency));
    // Halfway by the PUTs answered, at the 5,000 rows a batch the SPA sends for the bench's columns.
    rowsSaved = async () => ((await page.evaluate((name) => performance.getEntriesByName(name).length, SAVE_TIMINGS.put)) * 5_000) / Math.max(1, rows);
    const clickedAt = await page.evaluate(() => performance.now());
    saveStart = performance.now();
    const [browserCpu0, serverCpu0, threads0] = [chromiumCpuSeconds(), serverCpuSeconds(), chromiumThreadCpu()];
    // BENCH_TAB_PROFILE=file.cpuprofile: the page's main thread profiled while saving (open it in DevTools).
    const profile = process.env.BENCH_TAB_PROFILE;
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    await save.click({ timeout: 300_000 });
    await page.waitForURL(/\/imports\/[^/]+\/report$/, { timeout: 1_800_000 });
    await page.getByLabel('Import counts').waitFor();
    const saveSeconds = (performance.now() - saveStart) / 1000;
    if (profile) writeFileSync(profile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    const [browserCpu, serverCpu] = [chromiumCpuSeconds() - browserCpu0, serverCpuSeconds() - serverCpu0];
    const threadCpu = [...chromiumThreadCpu()]
      .map(([name, seconds]) => ({ name, seconds: seconds - (threads0.get(name) ?? 0) }))
      .filter((t) => t.seconds >= 0.05)
      .sort((a, b) => b.seconds - a.seconds);
    const totalSeconds = (performance.now() - start) / 1000;
    const shownAt = await page.evaluate(() => performance.now());
    sampling = false;
    await sampler;

    const measures = await page.evaluate(
      (names) => performance.getEntriesByType('measure').filter((e) => names.includes(e.name)).map((e) => ({ name: e.name, start: e.startTime, end: e.startTime + e.duration })),
      Object.values(SAVE_TIMINGS) as string[],
    );
    const of = (name: string) => measures.filter((m) => m.name === name);
    const sum = (name: string) => of(name).reduce((s, m) => s + (m.end - m.start), 0) / 1000;
    const puts = of(SAVE_TIMINGS.put);
    const builds = of(SAVE_TIMINGS.build);
    if (puts.length === 0 || builds.length === 0) throw new Error('the save recorded no batch timings: is this build older than web/import/saveTimings.ts?');
    return {
      rows,
      received: await statValue(page, 'Rows received'),
      inserted: await statValue(page, 'Inserted'),
      rejected: await statValue(page, 'Rejected'),
      sealedColumns,
      importedColumns,
      parseSeconds,
      saveSeconds,
      totalSeconds,
      startSeconds: (Math.min(...builds.map((b) => b.start)) - clickedAt) / 1000,
      finishSeconds: (shownAt - Math.max(...puts.map((p) => p.end))) / 1000,
      batches: puts.length,
      buildSeconds: sum(SAVE_TIMINGS.build),
      postSeconds: sum(SAVE_TIMINGS.post),
      judgeSeconds: sum(SAVE_TIMINGS.judge),
      cryptoSeconds: sum(SAVE_TIMINGS.crypto),
      encodeSeconds: sum(SAVE_TIMINGS.encode),
      browserCpuSeconds: browserCpu,
      serverCpuSeconds: serverCpu,
      threadCpu,
      sealSumSeconds: sum(SAVE_TIMINGS.seal),
      sealCoveredSeconds: coveredSeconds(of(SAVE_TIMINGS.seal)),
      sealWaitSeconds: sum(SAVE_TIMINGS.sealWait),
      putCoveredSeconds: coveredSeconds(puts),
      putSumSeconds: sum(SAVE_TIMINGS.put),
      poolSize,
      memory: {
        heapBaseline,
        heapAfterParse: heapAfterParse - heapBaseline,
        heapPeakDuringSave: heapPeak - heapBaseline,
        liveHeapPeakDuringSave: liveHeap ? liveHeapPeak - heapBaseline : null,
        snapshotMidSave,
        rssBaseline,
        rssAfterParse: rssAfterParse - rssBaseline,
        rssPeakDuringSave: rssPeak - rssBaseline,
        rssPeakDuringParse: rssPeakDuringParse - rssBaseline,
        saveTimeline: timeline.map((t) => ({ seconds: t.seconds, heap: t.heap - heapBaseline, rss: t.rss - rssBaseline })),
      },
    };
  } finally {
    sampling = false;
    await browser.close();
  }
}
