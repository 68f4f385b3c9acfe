// Runs wrangler in local mode without touching the network: no telemetry, no update or account look-ups.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const offlineEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'warn',
  NO_UPDATE_NOTIFIER: '1',
  CI: 'true',
};

// Resolved like a package (not relative to this file) so bundled copies of this module find it too.
const wranglerBin = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');

/**
 * Secrets local dev needs, generated once into .dev.vars (git-ignored) so a fresh clone just works.
 * Returns the names it added.
 */
export function ensureDevVars(file = '.dev.vars') {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = [];
  if (!/^ENCRYPTION_KEY=/m.test(current)) lines.push(`ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`);
  if (!/^TOKEN_ENCRYPTION_KEY=/m.test(current)) lines.push(`TOKEN_ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`);
  if (!/^HASH_KEY=/m.test(current)) lines.push(`HASH_KEY=${randomBytes(32).toString('base64')}`);
  // Signs session cookies (better-auth).
  if (!/^AUTH_SECRET=/m.test(current)) lines.push(`AUTH_SECRET=${randomBytes(32).toString('base64')}`);
  // No mail server locally: verification, reset and invitation mails go to the outbox page (/outbox).
  if (!/^MAIL_OUTBOX=/m.test(current)) lines.push('MAIL_OUTBOX=local');
  if (lines.length) writeFileSync(file, `${current}${current && !current.endsWith('\n') ? '\n' : ''}${lines.join('\n')}\n`, { mode: 0o600 });
  return lines.map((line) => line.slice(0, line.indexOf('=')));
}

/**
 * Runs `spawn` with umask 077, which the child inherits: the local D1 files wrangler creates (people's contact
 * data) are then readable by their owner only.
 */
function withOwnerOnlyFiles(spawn) {
  const previous = process.umask(0o077);
  try {
    return spawn();
  } finally {
    process.umask(previous);
  }
}

/** chmod go-rwx of a directory tree (e.g. `.wrangler/` made before files were created owner-only). */
export function restrictToOwner(dir) {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) restrictToOwner(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

/** Runs wrangler to the end; returns its standard output when `stdio: 'pipe'` (and `encoding`) are given. */
export function wranglerSync(args, { logLevel, ...opts } = {}) {
  const env = logLevel ? { ...offlineEnv, WRANGLER_LOG: logLevel } : offlineEnv;
  const r = withOwnerOnlyFiles(() => spawnSync(process.execPath, [wranglerBin, ...args], { stdio: 'inherit', env, ...opts }));
  if (r.status !== 0) {
    const output = [r.stdout, r.stderr].filter(Boolean).join('\n').trim();
    throw new Error(`wrangler ${args.join(' ')} failed with exit code ${r.status}${output ? `:\n${output}` : ''}`);
  }
  return r.stdout;
}

/** Starts `wrangler dev` in its own process group: workerd children outlive a kill of the parent alone. */
export function startWranglerDev(args, opts = {}) {
  return withOwnerOnlyFiles(() =>
    spawn(process.execPath, [wranglerBin, 'dev', '--local', ...args], {
      env: offlineEnv,
      detached: true,
      ...opts,
    }),
  );
}

export function stopProcessGroup(child) {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

/**
 * Resolves once `url` answers 2xx (the Worker and its D1 are up, not merely the port bound); rejects after
 * `timeoutMs`, or as soon as `child` exits.
 */
export async function waitUntilAnswering(url, { timeoutMs = 60_000, child } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before answering`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${Math.round(timeoutMs / 1000)} s`);
}
