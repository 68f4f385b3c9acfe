// `npm start`: build the SPA, apply D1 migrations to the local database, then serve SPA + API on one origin.
import { spawnSync } from 'node:child_process';
import { ensureDevVars, startWranglerDev, stopProcessGroup, wranglerSync } from './localWrangler.mjs';

const port = process.env.PORT ?? '8787';
ensureDevVars();
const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
wranglerSync(['d1', 'migrations', 'apply', 'DB', '--local']);
const dev = startWranglerDev(['--port', port, '--ip', '127.0.0.1'], { stdio: 'inherit' });
console.log(`\nAudience import is starting on http://127.0.0.1:${port}\n`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopProcessGroup(dev);
    process.exit(0);
  });
}
dev.on('exit', (code) => process.exit(code ?? 0));
