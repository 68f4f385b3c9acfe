import { createResource, createSignal, For, Show } from 'solid-js';
import type { ChangeEntry, ChangeHistoryPage } from '../../../shared/schema/history.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatDate } from '../formatting.ts';
import { actionWords, SUBJECT_KIND_LABELS } from './historyWords.ts';

/**
 * A change history, newest first: what changed, who changed it and when, and before → after line by line (the
 * Worker's readable diff). Older entries load on demand. `load` is called again when `key` changes.
 */
export function ChangeHistoryList(props: { key: string; load: (cursor?: string) => Promise<ChangeHistoryPage>; showSubjectKind?: boolean }) {
  const [older, setOlder] = createSignal<ChangeEntry[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<unknown>(null);
  const [first, { refetch }] = createResource(
    () => props.key,
    async () => {
      const page = await props.load();
      setOlder([]);
      setCursor(page.nextCursor);
      return page;
    },
  );
  const entries = () => [...(first.latest?.entries ?? []), ...older()];

  async function more() {
    const from = cursor();
    if (!from) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await props.load(from);
      setOlder((current) => [...current, ...page.entries]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <div class="change-history" data-testid="change-history">
      <Show when={first.error}>
        <ErrorNotice error={first.error} retry={refetch} />
      </Show>
      <Show when={first.loading && !first.latest}>
        <p class="muted">Loading the history…</p>
      </Show>
      <Show when={first.latest && entries().length === 0}>
        <p class="muted">No changes recorded yet.</p>
      </Show>
      <ol class="history-entries">
        <For each={entries()}>
          {(entry) => (
            <li class="history-entry" data-testid="history-entry">
              <div class="history-head">
                <strong>{actionWords(entry)}</strong>
                <span>
                  {props.showSubjectKind ? `${SUBJECT_KIND_LABELS[entry.subject.kind]}: ` : ''}
                  {entry.subject.label}
                </span>
                <span class="muted small">
                  by {entry.actor.label} · <time datetime={entry.at}>{formatDate(entry.at)}</time>
                </span>
              </div>
              <Show when={entry.changes.length > 0}>
                <ul class="history-changes">
                  <For each={entry.changes}>{(line) => <li>{line}</li>}</For>
                </ul>
              </Show>
            </li>
          )}
        </For>
      </ol>
      <Show when={moreError()}>
        <ErrorNotice error={moreError()} />
      </Show>
      <Show when={cursor()}>
        <button type="button" class="small-button" disabled={loadingMore()} onClick={() => void more()}>
          {loadingMore() ? 'Loading…' : 'Show older changes'}
        </button>
      </Show>
    </div>
  );
}
