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

/**
 * Sends rows to the bare Worker in batches of `batchRows`, `inFlight` requests at a time (the bare Worker has no
 * order to keep). Each batch body is the product's (seq, idempotency key, rows of { row, values }) plus what the
 * bare Worker needs instead of an import: the audience and the field keys.
 */
export async function sendToBare(
  baseUrl: string,
  audienceId: string,
  fields: readonly string[],
  rows: readonly string[][],
  batchRows: number,
  inFlight: number,
): Promise<number> {
  const created = await fetch(`${baseUrl}/audiences`, { method: 'POST', body: JSON.stringify({ audienceId }) });
  if (!created.ok) throw new Error(`bare Worker: ${created.status} ${await created.text()}`);
  let next = 0;
  let inserted = 0;
  const sender = async () => {
    for (;;) {
      const seq = next++;
      const first = seq * batchRows;
      if (first >= rows.length) return;
      const batch = rows.slice(first, first + batchRows).map((values, i) => ({ row: first + i + 1, values }));
      const res = await fetch(`${baseUrl}/batch`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seq, idempotencyKey: `${audienceId}-${seq}`, rows: batch, audienceId, fields }),
      });
      if (!res.ok) throw new Error(`bare Worker: ${res.status} ${await res.text()}`);
      const answer = (await res.json()) as { inserted: number };
      inserted += answer.inserted;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
  return inserted;
}

/**
 * The floor (bareWorker/floor.ts): server-side sealing's required work on plain rows (`kind: 'server'`, as sendToBare
 * sends them plus the sensitive columns), or privacy mode's on the product's own sealed batches as the tab sends them
 * (`kind: 'private'`), `inFlight` requests at a time. Answers how many members were written.
 */
export async function sendToFloor(
  baseUrl: string,
  audienceId: string,
  fields: readonly string[],
  batches: { kind: 'server'; rows: readonly string[][]; batchRows: number; sensitive: readonly { index: number; type: string }[] } | { kind: 'private'; batches: readonly unknown[] },
  inFlight: number,
): Promise<number> {
  const created = await fetch(`${baseUrl}/audiences`, { method: 'POST', body: JSON.stringify({ audienceId }) });
  if (!created.ok) throw new Error(`bare Worker: ${created.status} ${await created.text()}`);
  const count = batches.kind === 'server' ? Math.ceil(batches.rows.length / batches.batchRows) : batches.batches.length;
  const bodyOf = (seq: number): string => {
    if (batches.kind === 'private') return JSON.stringify({ seq, idempotencyKey: `${audienceId}-${seq}`, ...(batches.batches[seq] as object) });
    const first = seq * batches.batchRows;
    const rows = batches.rows.slice(first, first + batches.batchRows).map((values, i) => ({ row: first + i + 1, values }));
    return JSON.stringify({ seq, idempotencyKey: `${audienceId}-${seq}`, rows, audienceId, fields, sensitive: batches.sensitive });
  };
  const url =
    batches.kind === 'server'
      ? `${baseUrl}/batch-floor-server`
      : `${baseUrl}/batch-floor-private?${new URLSearchParams({ audience: audienceId, fields: fields.join(',') })}`;
  let next = 0;
  let inserted = 0;
  const sender = async () => {
    for (;;) {
      const seq = next++;
      if (seq >= count) return;
      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: bodyOf(seq) });
      if (!res.ok) throw new Error(`bare Worker floor: ${res.status} ${await res.text()}`);
      inserted += ((await res.json()) as { inserted: number }).inserted;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
  return inserted;
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
  for (let first = 0; first < rows.length; first += batchRows) {
    const batch = rows.slice(first, first + batchRows).map((values, i) => ({ row: first + i + 1, values }));
    const res = await fetch(`${baseUrl}/statements`, { method: 'POST', body: JSON.stringify({ rows: batch, audienceId, fields }) });
    if (!res.ok) throw new Error(`bare Worker: ${res.status} ${await res.text()}`);
    statements.push(...((await res.json()) as RecordedStatement[]));
  }
  return statements;
}
