import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain JS module shared with `npm start`
import { startWranglerDev, stopProcessGroup, wranglerSync } from '../localWrangler.mjs';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export type LocalServer = { baseUrl: string; stop: () => void };

/**
 * `wrangler dev --local` on a fresh local D1 (temp dir), as `npm start` runs it: the real Worker and D1.
 * `vars` are extra configuration (e.g. CRM endpoints pointing at the fakes), passed as `--var`s.
 */
export async function startLocalServer(vars: Readonly<Record<string, string>> = {}): Promise<LocalServer> {
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
    ],
    { stdio: 'ignore' },
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
  return {
    baseUrl,
    stop: () => {
      stopProcessGroup(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
