import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain JS module shared with `npm start`
import { offlineEnv, startWranglerDev, stopProcessGroup, waitUntilAnswering, wranglerSync } from '../localWrangler.mjs';
import { freePort } from './localServer.ts';
import type { RecordedStatement } from './measureIngest.ts';

const CONFIG = 'scripts/bench/bareWorker/wrangler.toml';

/** `groupId`: wrangler dev's process group, for processGroupCpuSeconds. */
export type BareServer = { baseUrl: string; groupId: number; stop: () => void };

/**
 * The bare Worker (bareWorker/index.ts) under its own `wrangler dev --local`, on a fresh D1 with the product's
 * migrations; `devtools: false` as startLocalServer's (without wrangler's DevTools inspector proxy).
 */
export async function startBareServer(options: { devtools?: boolean; inspectorPort?: number } = {}): Promise<BareServer> {
  const dir = mkdtempSync(join(tmpdir(), 'audience-bench-bare-'));
  const port = await freePort();
  wranglerSync(['d1', 'migrations', 'apply', 'DB', '--local', '-c', CONFIG, '--persist-to', dir], { stdio: 'pipe', encoding: 'utf8' });
  const inspector = options.inspectorPort ? ['--inspector-port', String(options.inspectorPort)] : [];
  const child = startWranglerDev(['-c', CONFIG, '--port', String(port), '--ip', '127.0.0.1', '--persist-to', dir, ...inspector], {
    stdio: process.env.BENCH_WRANGLER_LOGS ? 'inherit' : 'ignore',
    ...(options.devtools === false ? { env: { ...offlineEnv, VSCODE_INSPECTOR_OPTIONS: 'bench' } } : {}),
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(`${baseUrl}/health`, { child });
  } catch (e) {
    stopProcessGroup(child);
    throw e;
  }
  return {
    baseUrl,
    groupId: child.pid as number,
    stop: () => {
      stopProcessGroup(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The batches of `rows`, `batchRows` each, as the product's batch body has them: rows of { row (1-based), values }. */
const batchOf = (rows: readonly string[][], batchRows: number, seq: number) =>
  rows.slice(seq * batchRows, (seq + 1) * batchRows).map((values, i) => ({ row: seq * batchRows + i + 1, values }));

/**
 * Creates `audienceId` on the bare Worker, then PUTs the bodies of batches 0 … count − 1 to `url`, `inFlight`
 * requests at a time (the bare Worker has no order to keep). Answers how many members were written.
 */
async function putBatches(baseUrl: string, audienceId: string, url: string, count: number, bodyOf: (seq: number) => string, inFlight: number): Promise<number> {
  const created = await fetch(`${baseUrl}/audiences`, { method: 'POST', body: JSON.stringify({ audienceId }) });
  if (!created.ok) throw new Error(`bare Worker: ${created.status} ${await created.text()}`);
  let next = 0;
  let inserted = 0;
  const sender = async () => {
    for (let seq = next++; seq < count; seq = next++) {
      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: bodyOf(seq) });
      if (!res.ok) throw new Error(`bare Worker (${url}): ${res.status} ${await res.text()}`);
      // Read before adding: `inserted += await …` would read `inserted` before the await and lose another sender's count.
      const answer = (await res.json()) as { inserted: number };
      inserted += answer.inserted;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
  return inserted;
}

/**
 * Sends rows to the bare Worker in batches of `batchRows`, `inFlight` requests at a time. Each batch body is the
 * product's (seq, idempotency key, rows of { row, values }) plus what the bare Worker needs instead of an import: the
 * audience and the field keys.
 */
export function sendToBare(
  baseUrl: string,
  audienceId: string,
  fields: readonly string[],
  rows: readonly string[][],
  batchRows: number,
  inFlight: number,
): Promise<number> {
  const bodyOf = (seq: number) => JSON.stringify({ seq, idempotencyKey: `${audienceId}-${seq}`, rows: batchOf(rows, batchRows, seq), audienceId, fields });
  return putBatches(baseUrl, audienceId, `${baseUrl}/batch`, Math.ceil(rows.length / batchRows), bodyOf, inFlight);
}

/**
 * The floor (bareWorker/floor.ts): server-side sealing's required work on plain rows (`kind: 'server'`, as sendToBare
 * sends them plus the sensitive columns), or privacy mode's on the product's own sealed batches as the tab sends them
 * (`kind: 'private'`), `inFlight` requests at a time. Answers how many members were written.
 */
export function sendToFloor(
  baseUrl: string,
  audienceId: string,
  fields: readonly string[],
  batches: { kind: 'server'; rows: readonly string[][]; batchRows: number; sensitive: readonly { index: number; type: string }[] } | { kind: 'private'; batches: readonly unknown[] },
  inFlight: number,
): Promise<number> {
  if (batches.kind === 'private') {
    const url = `${baseUrl}/batch-floor-private?${new URLSearchParams({ audience: audienceId, fields: fields.join(',') })}`;
    const bodyOf = (seq: number) => JSON.stringify({ seq, idempotencyKey: `${audienceId}-${seq}`, ...(batches.batches[seq] as object) });
    return putBatches(baseUrl, audienceId, url, batches.batches.length, bodyOf, inFlight);
  }
  const { rows, batchRows, sensitive } = batches;
  const bodyOf = (seq: number) => JSON.stringify({ seq, idempotencyKey: `${audienceId}-${seq}`, rows: batchOf(rows, batchRows, seq), audienceId, fields, sensitive });
  return putBatches(baseUrl, audienceId, `${baseUrl}/batch-floor-server`, Math.ceil(rows.length / batchRows), bodyOf, inFlight);
}

/** The statements the bare Worker would run for these rows, in batches of `batchRows` (not run): for plain SQLite. */
export async function bareStatements(
  baseUrl: string,
  audienceId: string,
  fields: readonly string[],
  rows: readonly string[][],
  batchRows: number,
): Promise<RecordedStatement[]> {
  const statements: RecordedStatement[] = [];
  for (let seq = 0; seq * batchRows < rows.length; seq++) {
    const res = await fetch(`${baseUrl}/statements`, { method: 'POST', body: JSON.stringify({ rows: batchOf(rows, batchRows, seq), audienceId, fields }) });
    if (!res.ok) throw new Error(`bare Worker: ${res.status} ${await res.text()}`);
    statements.push(...((await res.json()) as RecordedStatement[]));
  }
  return statements;
}
