import { createResource, createSignal, For, Show } from 'solid-js';
import type { ImportHistoryEntry, LaterImport, UndoResult } from '../../../shared/schema/audiences.ts';
import { ApiError } from '../../api/apiError.ts';
import { audiencesApi } from '../../api/audiences.ts';
import { api } from '../../api/client.ts';
import { ConfirmNotice } from '../ConfirmNotice.tsx';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatDate, plural } from '../formatting.ts';
import { Link } from '../navigation.tsx';
import { countsLabel, laterImportsText, sourceLabel, stateLabel } from './importHistoryText.ts';

type UndoAsk = { entry: ImportHistoryEntry; later: LaterImport[] | null };

/** Every import into the audience, newest first: its report, its error CSV, and undo. */
export function ImportHistory(props: { audienceId: string; onChanged: () => void }) {
  const [history, { refetch }] = createResource(() => props.audienceId, (id) => audiencesApi.history(id));
  const [asking, setAsking] = createSignal<UndoAsk | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [done, setDone] = createSignal<UndoResult | null>(null);

  async function undo(entry: ImportHistoryEntry, chain: boolean) {
    setBusy(true);
    setError(null);
    try {
      setDone(await audiencesApi.undo(props.audienceId, entry.import.id, chain));
      setAsking(null);
      void refetch();
      props.onChanged();
    } catch (e) {
      const later = e instanceof ApiError && e.status === 409 ? (e.details as { laterImports?: LaterImport[] } | undefined)?.laterImports : undefined;
      if (later) setAsking({ entry, later });
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="card" data-testid="import-history">
      <div class="card-head">
        <h2>Import history</h2>
      </div>
      <Show when={history.error}>
        <ErrorNotice error={history.error} retry={refetch} />
      </Show>
      <Show when={done()}>
        {(d) => (
          <div class="notice ok" role="status" data-testid="undo-done">
            <div class="notice-body">
              Undone: {plural(d().undone.length, 'import')} rolled back —{' '}
              {plural(d().undone.reduce((n, u) => n + u.removed, 0), 'member')} removed,{' '}
              {plural(d().undone.reduce((n, u) => n + u.restored, 0), 'member')} given their previous values back. The audience now has{' '}
              {plural(d().audience.memberCount, 'member')}.
            </div>
          </div>
        )}
      </Show>
      <Show when={error()}>{(e) => <ErrorNotice error={e()} />}</Show>
      <Show when={asking()}>
        {(a) => (
          <ConfirmNotice
            label="Confirm undo"
            testId="undo-confirm"
            tone="warn"
            confirmLabel={a().later ? `Undo ${plural((a().later?.length ?? 0) + 1, 'import')}` : 'Undo import'}
            busy={busy()}
            onConfirm={() => void undo(a().entry, a().later !== null)}
            onKeep={() => setAsking(null)}
          >
            <Show
              when={a().later}
              fallback={
                <>
                  Undo the import of <strong>{sourceLabel(a().entry.import.source)}</strong>? Its{' '}
                  {plural(a().entry.import.counts.inserted, 'new member')} will be removed and the{' '}
                  {plural(a().entry.import.counts.updated, 'member')} it updated get their previous values back.
                </>
              }
            >
              {(later) => (
                <>
                  {laterImportsText(later())} To undo <strong>{sourceLabel(a().entry.import.source)}</strong> completely, they are undone first,
                  newest first — all together or not at all.
                </>
              )}
            </Show>
          </ConfirmNotice>
        )}
      </Show>
      <Show when={history()}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="muted">Nothing was imported into this audience yet.</p>}>
            <div class="table-wrap">
              <table class="data" aria-label="Import history">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Source</th>
                    <th scope="col">Rows</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={list()}>
                    {(entry) => (
                      <tr data-import-id={entry.import.id}>
                        <td class="muted nowrap">{formatDate(entry.import.createdAt)}</td>
                        <td>
                          {sourceLabel(entry.import.source)}
                          <div class="muted small">
                            {entry.import.mapping.onMatch === 'update' ? 'matches updated' : 'matches rejected'} · identifier{' '}
                            {entry.import.mapping.identifier} · country {entry.import.defaultCountry}
                          </div>
                          <details class="small">
                            <summary>Mapping</summary>
                            <ul>
                              <For each={entry.import.mapping.columns}>
                                {(c) => (
                                  <li>
                                    {c.column} → {c.target ?? 'not imported'}
                                    {c.sensitive ? ' (sensitive)' : ''}
                                  </li>
                                )}
                              </For>
                            </ul>
                          </details>
                        </td>
                        <td>{countsLabel(entry)}</td>
                        <td>
                          <span class={`badge${entry.state === 'completed' ? ' ok' : entry.state === 'undone' ? '' : ' warn'}`}>{stateLabel(entry)}</span>
                          <Show when={entry.undo}>
                            {(u) => (
                              <div class="muted small">
                                {plural(u().removed, 'member')} removed, {plural(u().restored, 'member')} restored
                              </div>
                            )}
                          </Show>
                          <Show when={entry.state === 'interrupted'}>
                            <div class="muted small">
                              Choose the same file on <Link href="/import">Import</Link> to continue.
                            </div>
                          </Show>
                        </td>
                        <td>
                          <div class="actions">
                          <Link href={`/imports/${encodeURIComponent(entry.import.id)}/report`}>Report</Link>
                          <Show when={entry.errorCount > 0}>
                            <a href={api.reportCsvUrl(entry.import.id)} download="">
                              Errors CSV
                            </a>
                          </Show>
                          <Show when={entry.undoable && entry.state !== 'running'}>
                            <button type="button" class="link danger" onClick={() => setAsking({ entry, later: null })}>
                              Undo
                            </button>
                          </Show>
                          </div>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </Show>
        )}
      </Show>
    </div>
  );
}
