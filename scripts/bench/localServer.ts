import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain JS module shared with `npm start`
import { offlineEnv, startWranglerDev, stopProcessGroup, wranglerSync } from '../localWrangler.mjs';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * `persistDir`: where the local D1 lives (its SQLite file is under `v3/d1/`), for measuring what it stores.
 * `groupId`: wrangler dev's process group (it and its workerd), for processGroupCpuSeconds.
 */
export type LocalServer = { baseUrl: string; persistDir: string; groupId: number; admin: BenchAdmin; stop: () => void };

/** The first-run admin: a browser driven by the bench signs in as a person does, with these. */
export type BenchAdmin = { email: string; password: string };

/**
 * The bench talks to the Worker the way a script does: the first-run setup makes an admin, who makes an admin API
 * token (the public API's credential), and every request of this process to that server carries it as a Bearer
 * header. Wrapping fetch keeps the measuring code free of auth plumbing.
 */
async function signInAsScript(baseUrl: string): Promise<BenchAdmin> {
  const json = { 'content-type': 'application/json' };
  const admin: BenchAdmin = { email: 'bench@example.com', password: randomBytes(18).toString('base64') };
  const setup = await fetch(`${baseUrl}/api/setup`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ workspaceName: 'Bench', name: 'Bench Admin', ...admin }),
  });
  const cookie = setup.headers.getSetCookie().find((c) => c.includes('session_token='))?.split(';')[0];
  if (!setup.ok || !cookie) throw new Error(`first-run setup failed: ${setup.status} ${await setup.text()}`);
  const created = await fetch(`${baseUrl}/api/tokens`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: 'bench', role: 'admin' }) });
  if (!created.ok) throw new Error(`API token refused: ${created.status} ${await created.text()}`);
  const { token } = (await created.json()) as { token: string };
  const plainFetch = globalThis.fetch;
  globalThis.fetch = (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(`${baseUrl}/`)) return plainFetch(input, init);
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return plainFetch(input, { ...init, headers });
  };
  return admin;
}

/**
 * `wrangler dev --local` on a fresh local D1 (temp dir), as `npm start` runs it: the real Worker and D1.
 * `vars` are extra configuration (e.g. CRM endpoints pointing at the fakes), passed as `--var`s; `devtools: false`
 * starts it without wrangler's DevTools inspector proxy (below).
 */
export async function startLocalServer(
  vars: Readonly<Record<string, string>> = {},
  options: { devtools?: boolean; inspectorPort?: number; testScheduled?: boolean } = {},
): Promise<LocalServer> {
  const dir = mkdtempSync(join(tmpdir(), 'audience-bench-'));
  const port = await freePort();
  wranglerSync(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir], { stdio: 'pipe', encoding: 'utf8' });
  const child = startWranglerDev(
    [
      '--port', String(port), '--ip', '127.0.0.1', '--persist-to', dir,
      '--var', `ENCRYPTION_KEY:${randomBytes(32).toString('base64')}`,
      '--var', `TOKEN_ENCRYPTION_KEY:${randomBytes(32).toString('base64')}`,
      '--var', `HASH_KEY:${randomBytes(32).toString('base64')}`,
      '--var', `ALLOWED_ORIGINS:http://127.0.0.1:${port}`,
      // wrangler splits a --var on its first colon only, so URLs pass as they are.
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
      // The Worker's DevTools target, for a CPU profile (profileIngest.ts).
      ...(options.inspectorPort ? ['--inspector-port', String(options.inspectorPort)] : []),
      // GET /__scheduled runs the Cron Trigger's handler (memberBytes.ts: the member re-pack).
      ...(options.testScheduled ? ['--test-scheduled'] : []),
    ],
    {
      stdio: process.env.BENCH_WRANGLER_LOGS ? 'inherit' : 'ignore',
      // `devtools: false`: without wrangler's DevTools inspector proxy, which turns on DevTools network events — every
      // subrequest's answer (D1 results, CRM answers) base64'd and relayed to wrangler's Node process and its debug
      // log. Dev tooling, absent in production, and most of the server's CPU on a subrequest-heavy run. wrangler has no
      // flag for it; it leaves the proxy out in VS Code's debug terminal, which it knows by this variable.
      ...(options.devtools === false ? { env: { ...offlineEnv, VSCODE_INSPECTOR_OPTIONS: 'bench' } } : {}),
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      stopProcessGroup(child);
      throw new Error('wrangler dev did not answer /api/health within 60 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const admin = await signInAsScript(baseUrl);
  return {
    baseUrl,
    admin,
    persistDir: dir,
    groupId: child.pid as number,
    stop: () => {
      stopProcessGroup(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
