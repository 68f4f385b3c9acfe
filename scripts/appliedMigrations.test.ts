import { describe, expect, it } from 'vitest';
import { appliedMigrations } from './appliedMigrations.mjs';

// As wrangler 4.86 prints it at WRANGLER_LOG=log, trimmed to the lines that matter.
const FIRST_RUN = `Resource location: local

Migrations to be applied:
┌───────────────────────────────┐
│ name                          │
├───────────────────────────────┤
│ 0001_init.sql                 │
├───────────────────────────────┤
│ 0020_dynamics_connections.sql │
└───────────────────────────────┘
? About to apply 2 migration(s)
🚣 3 commands executed successfully.
┌───────────────────────────────┬────────┐
│ name                          │ status │
├───────────────────────────────┼────────┤
│ 0001_init.sql                 │ ✅     │
├───────────────────────────────┼────────┤
│ 0020_dynamics_connections.sql │ 🕒️    │
└───────────────────────────────┴────────┘
`;

describe('appliedMigrations', () => {
  it('lists each pending migration once, not again from the progress tables', () => {
    expect(appliedMigrations(FIRST_RUN)).toEqual(['0001_init.sql', '0020_dynamics_connections.sql']);
  });

  it('is empty when wrangler had nothing to apply', () => {
    expect(appliedMigrations('Resource location: local\n\n✅ No migrations to apply!\n')).toEqual([]);
  });
});
