// Browser-test global setup: build the SPA, migrate a throw-away local D1, start the fake CRMs, serve SPA + API
// with `wrangler dev` on a free port (pointed at the fakes), and hand the URLs to the tests. Nothing of the developer's own state (.dev.vars, .wrangler/) is
// read or written.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM helper shared with `npm start`, no type declarations
import { startWranglerDev, stopProcessGroup, wranglerSync } from '../../scripts/localWrangler.mjs';
import { startCrmFakes } from './crmFakes.ts';
import { ensureTestAdmin } from './testAccount.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`wrangler dev did not answer ${url}/api/health within ${timeoutMs / 1000} s:\n${output()}`);
}

export interface AppServer {
  baseUrl: string;
  stop: () => Promise<void>;
}

/**
 * `wrangler dev` serving the built SPA (dist/) and the API on a throw-away migrated D1, with fresh secrets and the
 * given extra `--var`s. The global setup runs one for all tests; a test that needs a server nobody has set up yet
 * (the first-run screen) starts its own.
 */
export async function startAppServer(extraArgs: string[] = []): Promise<AppServer> {
  const persistTo = mkdtempSync(join(tmpdir(), 'audience-import-browser-'));
  wranglerSync(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo], { stdio: 'pipe' });
  const [port, inspectorPort] = [await freePort(), await freePort()];
  // Fresh keys per run: `--var` wins over any .dev.vars, so tests never depend on (or learn) a developer's secrets.
  const secrets = ['ENCRYPTION_KEY', 'TOKEN_ENCRYPTION_KEY', 'HASH_KEY', 'AUTH_SECRET'].flatMap((name) => ['--var', `${name}:${randomBytes(32).toString('base64')}`]);
  const child: ChildProcess = startWranglerDev(
    [
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--inspector-port', String(inspectorPort),
      '--persist-to', persistTo,
      '--show-interactive-dev-session=false',
      ...secrets,
      '--var', `ALLOWED_ORIGINS:http://127.0.0.1:${port}`,
      '--var', 'MAIL_OUTBOX:local',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    stopProcessGroup(child);
    rmSync(persistTo, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, stop };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`vite build failed with exit code ${build.status}`);

  const crm = await startCrmFakes();
  const crmVars = Object.entries(crm.vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  let server: AppServer;
  try {
    server = await startAppServer(crmVars);
  } catch (error) {
    await crm.stop();
    throw error;
  }
  const teardown = async () => {
    await server.stop();
    await crm.stop();
  };
  try {
    // Every page of every browser test starts signed in as this admin (test/browser/chromium.ts).
    await ensureTestAdmin(server.baseUrl);
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide('baseUrl', server.baseUrl);
  project.provide('crmFakes', crm.fakes);
  return teardown;
}
