/**
 * What the tab bench's harness adds to each batch PUT (README → Benchmarks, "the harness"): the same page code
 * sending BENCH_HARNESS_MB (default 3, a 5,000-row privacy batch) to a local server, BENCH_HARNESS_CALLS times, as a
 * Uint8Array body (what the SPA sends) and as a Blob, once in Chromium driven by Playwright (DevTools' Network domain
 * on, as in measureTab.ts and the browser tests) and once in the same Chromium with no DevTools client at all (the
 * page posts its own figures back). Not part of `npm run bench`:
 *   npx esbuild scripts/bench/harnessFetchCost.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=node_modules/.cache/harness-fetch.mjs && node node_modules/.cache/harness-fetch.mjs
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../../test/browser/chromium.ts';

const MB = Number(process.env.BENCH_HARNESS_MB ?? 3);
const CALLS = Number(process.env.BENCH_HARNESS_CALLS ?? 20);
type Figures = Record<string, number>;

/** Runs in the page: per body kind, the time fetch() takes to return (the page's thread) and to be answered. */
async function inPage(args: { mb: number; calls: number }): Promise<Figures> {
  const body = new Uint8Array(args.mb * 1_000_000).fill(65);
  const out: Figures = {};
  // Each kind twice, the second run kept: the first warms the code and the connection.
  for (const kind of ['bytes', 'blob', 'bytes', 'blob']) {
    let sync = 0;
    const t0 = performance.now();
    for (let i = 0; i < args.calls; i++) {
      const b = kind === 'blob' ? new Blob([body]) : body;
      const s = performance.now();
      const answer = fetch('/put', { method: 'PUT', body: b });
      sync += performance.now() - s;
      await (await answer).text();
    }
    out[`${kind}: fetch() returns after (ms)`] = sync / args.calls;
    out[`${kind}: answered after (ms)`] = (performance.now() - t0) / args.calls;
  }
  return out;
}

let reported: (figures: string) => void = () => {};
const page = `<html><body><script>(${inPage.toString()})(${JSON.stringify({ mb: MB, calls: CALLS })}).then((r) => fetch('/result', { method: 'POST', body: JSON.stringify(r) }));</script></body></html>`;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html');
    res.end(req.url === '/plain' ? page : '<html><body></body></html>');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (d: Buffer) => req.url === '/result' && chunks.push(d));
  req.on('end', () => {
    res.end('{}');
    if (req.url === '/result') reported(Buffer.concat(chunks).toString('utf8'));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const flags = ['--headless', '--no-sandbox', '--disable-gpu'];

const browser = await chromium.launch({ executablePath: CHROMIUM, args: flags });
const driven = await browser.newPage();
await driven.goto(`${origin}/`);
const withDevtools = await driven.evaluate(inPage, { mb: MB, calls: CALLS });
await browser.close();

const profile = mkdtempSync(join(tmpdir(), 'harness-fetch-'));
const plainFigures = new Promise<string>((resolve) => (reported = resolve));
const plain = spawn(CHROMIUM, [...flags, `--user-data-dir=${profile}`, `${origin}/plain`], { stdio: 'ignore' });
const withoutDevtools = JSON.parse(await plainFigures) as Figures;
plain.kill();
server.close();
rmSync(profile, { recursive: true, force: true });

console.log(`${MB} MB bodies, ${CALLS} calls each`);
for (const key of Object.keys(withDevtools)) {
  console.log(`${key.padEnd(34)} Playwright ${(withDevtools[key] ?? 0).toFixed(1).padStart(7)}   no DevTools client ${(withoutDevtools[key] ?? 0).toFixed(1).padStart(7)}`);
}
