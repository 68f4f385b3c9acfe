/**
 * Where a save's time goes, as User Timing measures on the page's performance timeline (DevTools' Performance
 * panel shows them; the bench sums them): building a batch's rows from the row store, handing them to a pool worker (a structured clone on the tab's thread), sealing it in a pool
 * worker, the tab waiting for a sealed body, and each PUT until the Worker answers. Cleared when a save starts,
 * so a long-lived tab holds those of one import at most.
 */
export const SAVE_TIMINGS = {
  build: 'import: build batch rows',
  post: 'import: post batch to a pool worker',
  seal: 'import: seal batch (pool worker)',
  judge: 'import: check and normalise sensitive values (pool worker)',
  crypto: 'import: SHA-256 and sealing (pool worker)',
  encode: 'import: JSON and UTF-8 of a sealed batch (pool worker)',
  sealWait: 'import: wait for sealed batch',
  put: 'import: PUT batch (wait on the Worker)',
} as const;

/** Records a measure from `start` (performance.now()) to now. */
export const measureSince = (name: string, start: number) => performance.measure(name, { start, end: performance.now() });
