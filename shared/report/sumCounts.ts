/**
 * Adds two tallies key by key (import counts, dry-run counts, per-reason rejections): one way of summing counts
 * for the SPA and the Worker, whatever the tally's keys.
 */
export function sumCounts<T extends Record<string, number>>(a: T, b: T): T {
  const sum = { ...a };
  for (const key of Object.keys(b) as (keyof T)[]) sum[key] = ((sum[key] ?? 0) + (b[key] ?? 0)) as T[keyof T];
  return sum;
}
