import { createEffect, createSignal, onCleanup } from 'solid-js';

/** A call that has said nothing for this long is shown as waiting, with the seconds counting up and a way out. */
export const STALL_AFTER_MS = 3_000;

/** Whole seconds waited since `since`, once that is long enough to tell the user; null before, or when not waiting. */
export function waitedSeconds(since: number | null, now: number): number | null {
  if (since === null || now - since < STALL_AFTER_MS) return null;
  return Math.floor((now - since) / 1000);
}

/**
 * Ticks once a second while something is awaited: a CRM that hangs until the Worker gives up (30 s) is visibly
 * being waited for after a few seconds, not silently. `start` again on each sign of life (a page arrived).
 */
export function createStallClock() {
  const [since, setSince] = createSignal<number | null>(null);
  const [now, setNow] = createSignal(Date.now());
  createEffect(() => {
    if (since() === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    onCleanup(() => clearInterval(timer));
  });
  return {
    start: () => {
      const t = Date.now();
      setNow(t);
      setSince(t);
    },
    stop: () => setSince(null),
    waited: () => waitedSeconds(since(), now()),
  };
}
