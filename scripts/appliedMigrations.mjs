/**
 * The migrations `wrangler d1 migrations apply` (at log level "log") set out to apply, read from the table it
 * prints under "Migrations to be applied:"; [] when it said there were none. The progress tables it prints after
 * each step are ignored.
 */
export function appliedMigrations(output) {
  const pending = output.split('Migrations to be applied:')[1]?.split('About to apply')[0] ?? '';
  return [...pending.matchAll(/│\s*(\d+_[\w.-]+\.sql)\s*│/g)].map((m) => m[1]);
}
