import { applyD1Migrations, env } from 'cloudflare:test';

// Every test file starts from the schema in migrations/, applied to its isolated local D1.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
