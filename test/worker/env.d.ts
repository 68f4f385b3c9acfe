// Bindings only the Worker tests have (see vite.config.ts): the migrations to apply to each isolated D1.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
  }
}
