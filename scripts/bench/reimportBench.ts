import { createReadStream, readFileSync } from 'node:fs';
import { createCsvReader } from '../../shared/csv/index.ts';
import type { ImportCounts, ImportSummary, StartImportBody } from '../../shared/schema/imports.ts';
import { BENCH_HEADERS, generateCsv } from './generateCsv.ts';
import { startLocalServer } from './localServer.ts';
import { BATCH_ROWS, benchImportBody, IN_FLIGHT, ImportSender } from './measureIngest.ts';
import { processGroupCpuSeconds, processGroupWorkerdCpuSeconds } from './processCpu.ts';

/** The column the "one attribute changed" re-import edits: City, a plain attribute (not the identifier, not sensitive). */
const CHANGED_COLUMN = 7;

type Run = { label: string; importId: string; seconds: number; cpu: number; workerd: number; counts: ImportCounts };

async function readRows(file: string, rows: number): Promise<string[][]> {
  const out: string[][] = [];
  const reader = createCsvReader({}, (batch) => {
    for (const r of batch) if (out.length < rows) out.push(r);
  });
  for await (const b of createReadStream(file, { highWaterMark: 1 << 20 })) {
    reader.push(b as Uint8Array);
    if (out.length >= rows) break;
  }
  reader.end();
  return out;
}

/** One import of `rows` through the product Worker (server-side sealing, IN_FLIGHT batches unanswered), timed with the server's CPU. */
async function timedImport(server: Awaited<ReturnType<typeof startLocalServer>>, label: string, body: StartImportBody, rows: readonly string[][]): Promise<Run> {
  const t0 = performance.now();
  const cpu0 = processGroupCpuSeconds(server.groupId);
  const workerd0 = processGroupWorkerdCpuSeconds(server.groupId);
  const sender = await ImportSender.start(server.baseUrl, body, IN_FLIGHT);
  for (let i = 0; i < rows.length; i++) await sender.add(i + 1, rows[i] as string[]);
  const counts = await sender.finish();
  return {
    label,
    importId: sender.importId,
    seconds: (performance.now() - t0) / 1000,
    cpu: processGroupCpuSeconds(server.groupId) - cpu0,
    workerd: processGroupWorkerdCpuSeconds(server.groupId) - workerd0,
    counts,
  };
}

/**
 * Issue 12's merged-member cost: N rows of the bench file imported into a fresh audience, then the SAME rows again
 * into it (every row merges into a member another import wrote: a snapshot and a merge each), then again with one
 * plain attribute (City) changed in every row. Each through the product Worker under wrangler dev without its
 * DevTools proxy (workerd is then all of the server's CPU), server-side sealing, IN_FLIGHT batches in flight.
 * BENCH_REIMPORT_ROWS (default 100,000).
 */
export async function runReimportBench(): Promise<void> {
  const n = Number(process.env.BENCH_REIMPORT_ROWS ?? 100_000);
  const file = `bench-data/audience-${n}.csv`;
  await generateCsv(file, n);
  const rows = await readRows(file, n);
  const changed = rows.map((r) => r.map((v, i) => (i === CHANGED_COLUMN ? `${v} (moved)` : v)));
  const headers = [...BENCH_HEADERS];
  const server = await startLocalServer({}, { devtools: false });
  const runs: Run[] = [];
  try {
    const first = await timedImport(server, 'first import (all inserted)', benchImportBody(headers, 'bench reimport', n), rows);
    runs.push(first);
    const { audienceId } = (await (await fetch(`${server.baseUrl}/api/imports/${first.importId}`)).json()) as ImportSummary;
    const into = (name: string): StartImportBody => ({ ...benchImportBody(headers, name, n), audienceName: undefined, audienceId });
    runs.push(await timedImport(server, 're-import, same rows (all merge)', into('unused'), rows));
    runs.push(await timedImport(server, 're-import, City changed (all merge)', into('unused'), changed));
  } finally {
    server.stop();
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
  console.log(`\n## Re-import: every row merges (${n.toLocaleString('en-US')} rows, batches of ${BATCH_ROWS.toLocaleString('en-US')}, ${IN_FLIGHT} in flight, server-side sealing, wrangler dev without its DevTools proxy; load ${load})`);
  const base = runs[0] as Run;
  for (const r of runs) {
    const perRow = (s: number) => `${((s / n) * 1e6).toFixed(1).padStart(5)} µs/row`;
    const ratio = r === base ? '' : `  → ${(base.seconds / r.seconds).toFixed(2)}× the first import's rate, CPU ${(r.cpu / base.cpu).toFixed(2)}×`;
    console.log(
      `${r.label.padEnd(38)}${r.seconds.toFixed(2).padStart(6)} s ${`${Math.round(n / r.seconds).toLocaleString('en-US')} rows/s`.padStart(14)} ${perRow(r.seconds)} wall, server CPU ${perRow(r.cpu)} (workerd ${perRow(r.workerd)})${ratio}  (inserted ${r.counts.inserted}, updated ${r.counts.updated}, duplicates ${r.counts.duplicates}, rejected ${r.counts.rejected})`,
    );
  }
}
