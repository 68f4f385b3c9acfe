// `npm run bench`: bundles the TypeScript benchmark (Node 20 cannot run .ts) and runs it with GC exposed.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const outfile = 'node_modules/.cache/bench/bench.mjs';
await build({
  entryPoints: ['scripts/bench/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
