import solid from 'vite-plugin-solid';
import type { Plugin } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { headersFile } from './worker/http/securityPolicy.ts';

// The SPA's security headers (CSP, frame-ancestors, nosniff…) as a `_headers` file in dist/: the assets binding
// answers the SPA without running the Worker, and applies this file (in wrangler dev too).
const spaSecurityHeaders: Plugin = {
  name: 'spa-security-headers',
  apply: 'build',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: '_headers', source: headersFile() });
  },
};

// One config: `vite build` builds the SPA into dist/ (served by the Worker's assets binding);
// `vitest --project <name>` runs unit (Node), worker (workerd + local D1) and browser (Chromium) tests.
export default defineConfig(async (): Promise<ViteUserConfig> => {
  const app: ViteUserConfig = {
    root: 'web',
    publicDir: false,
    plugins: [solid(), spaSecurityHeaders],
    build: {
      outDir: '../dist',
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 1500,
      // A slow shared machine makes rolldown print a plugin-timing table on every build: nothing a user can act on.
      rolldownOptions: { checks: { bundlerTimings: false } },
    },
    worker: { format: 'es' },
  };
  // The Workers test plugin prints a rename banner when loaded: load it for test runs only, not for `vite build`.
  if (!process.env.VITEST) return app;
  const { cloudflareTest, readD1Migrations } = await import('@cloudflare/vitest-pool-workers');
  const migrations = await readD1Migrations('./migrations');
  return {
    ...app,
    test: {
      root: '.',
      // vite-plugin-solid would otherwise default every project to jsdom.
      environment: 'node',
      projects: [
        {
          test: {
            name: 'unit',
            root: '.',
            environment: 'node',
            include: ['shared/**/*.test.ts', 'worker/**/*.test.ts', 'web/**/*.test.ts', 'scripts/**/*.test.ts'],
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  // Tests never see .dev.vars (absent on a clean checkout): a fixed test-only key.
                  ENCRYPTION_KEY: 'dGVzdC1vbmx5LWtleS0wMDAwMDAwMDAwMDAwMDAwMDA=',
                  TOKEN_ENCRYPTION_KEY: 'dGVzdC1vbmx5LXRva2VuLWtleS0wMDAwMDAwMDAwMDA=',
                  HASH_KEY: 'dGVzdC1vbmx5LWhhc2gta2V5LTAwMDAwMDAwMDAwMDA=',
                  // SELF.fetch('http://app.test/…') and app.request('/…') (http://localhost) are the tests' origins.
                  ALLOWED_ORIGINS: 'http://app.test,http://localhost',
                  AUTH_SECRET: 'test-only-auth-secret-0000000000000000000000',
                  MAIL_OUTBOX: 'local',
                  // The app registration the fake Dataverse (test/servers/dynamics) accepts.
                  DYNAMICS_CLIENT_ID: 'fake-dynamics-client-id',
                  DYNAMICS_CLIENT_SECRET: 'fake-dynamics-client-secret',
                  // The connected app the fake Salesforce (test/servers/salesforce) is told to trust.
                  SALESFORCE_CLIENT_ID: 'fake-salesforce-consumer-key',
                  SALESFORCE_CLIENT_SECRET: 'fake-salesforce-consumer-secret',
                },
              },
            }),
          ],
          test: {
            name: 'worker',
            root: '.',
            include: ['test/worker/**/*.test.ts'],
            setupFiles: ['./test/worker/applyMigrations.ts'],
            globalSetup: ['./test/servers/dynamics/globalSetup.ts', './test/servers/salesforce/globalSetup.ts', './test/servers/identity/globalSetup.ts'],
            testTimeout: 60_000,
          },
        },
        {
          test: {
            name: 'browser',
            root: '.',
            environment: 'node',
            include: ['test/browser/**/*.test.ts'],
            globalSetup: ['./test/browser/startServer.ts'],
            testTimeout: 300_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
