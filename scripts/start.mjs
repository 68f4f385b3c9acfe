// `npm start`: build the SPA, apply D1 migrations to the local database, then serve SPA + API on one origin.
// It says each step as it happens, and "Ready" only once the server answers.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { appliedMigrations } from './appliedMigrations.mjs';
import { ensureDevVars, restrictToOwner, startWranglerDev, stopProcessGroup, waitUntilAnswering, wranglerSync } from './localWrangler.mjs';

const port = process.env.PORT ?? '8787';
const url = `http://127.0.0.1:${port}`;

function fail(message) {
  console.error(`\n${message}`);
  process.exit(1);
}

/** Whether nothing listens on the port yet: otherwise the health check below would be answered by someone else. */
const portIsFree = (p) =>
  new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(Number(p), '127.0.0.1');
  });

if (!(await portIsFree(port))) fail(`Port ${port} is already in use (another npm start?). Stop that, or choose another port: PORT=8788 npm start`);

if (ensureDevVars().length) console.log('Created .dev.vars with new local encryption keys (git-ignored; keep it).');

console.log('Building the app into dist/ …');
const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) fail('The build failed (see above); nothing was started.');

console.log('Applying database migrations to the local D1 (.wrangler/state) …');
restrictToOwner('.wrangler');
let output;
try {
  // At log level wrangler lists the pending migrations first ("Migrations to be applied:"), which is what we report.
  output = wranglerSync(['d1', 'migrations', 'apply', 'DB', '--local'], { stdio: 'pipe', encoding: 'utf8', logLevel: 'log' });
} catch (e) {
  fail(`Applying the migrations failed; the database was left as it was before the failing one.\n${e.message}`);
}
const applied = appliedMigrations(output);
console.log(
  applied.length
    ? `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}.`
    : 'No migrations pending: the local database is up to date.',
);

console.log(`Starting the server on port ${port} (set PORT to use another) …`);
// The API answers only for its own origin (ALLOWED_ORIGINS); PORT moves it.
const origins = `http://127.0.0.1:${port},http://localhost:${port}`;
const dev = startWranglerDev(['--port', port, '--ip', '127.0.0.1', '--var', `ALLOWED_ORIGINS:${origins}`], { stdio: 'inherit' });
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    stopProcessGroup(dev);
    process.exit(0);
  });
}
dev.on('exit', (code) => {
  if (stopping) return;
  fail(`The server stopped (exit code ${code ?? 'none'}). If port ${port} is taken, run with another: PORT=8788 npm start`);
});
try {
  await waitUntilAnswering(`${url}/api/health`, { timeoutMs: 120_000, child: dev });
} catch (e) {
  stopProcessGroup(dev);
  fail(`${e.message}. See the output above; nothing else is listening on ${url}?`);
}
console.log(`\nReady at ${url} — open it in a browser. Stop with Ctrl+C.\n`);
