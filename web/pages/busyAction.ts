import { createSignal } from 'solid-js';

/**
 * A button's work with the state the page shows around it: `busy` while it runs (buttons disabled), and the
 * error it ended with (cleared when the next one starts), for an ErrorNotice.
 */
export function createBusyAction() {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  async function act(work: () => Promise<unknown>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, act };
}
