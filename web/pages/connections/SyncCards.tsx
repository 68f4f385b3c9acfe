import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import type { Sync } from '../../../shared/schema/syncs.ts';
import { syncsApi } from '../../api/syncs.ts';
import { resourceValue } from '../crm/crmImport.ts';
import { connectionLabel } from '../crm/crmNames.ts';
import { canManage } from '../auth/session.ts';
import { ConfirmNotice } from '../ConfirmNotice.tsx';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { Link } from '../navigation.tsx';
import { CYCLE_WORDS, nextRunWords, syncStatus } from './syncStatus.ts';
import './syncCards.css';
import { createBusyAction } from '../busyAction.ts';

// While a run is going, the cards follow its progress; otherwise they are read once.
const POLL_MS = 3_000;

/** "Kept in sync": one card per sync of the workspace, with its health, next run, "Run now" and pause/resume. */
export function SyncCards(props: { connections: readonly CrmConnection[] }) {
  const [syncs, { refetch, mutate }] = createResource(() => syncsApi.list());
  const list = () => resourceValue(syncs, true);
  const timer = setInterval(() => {
    if (list()?.some((s) => s.health === 'running')) void refetch();
  }, POLL_MS);
  onCleanup(() => clearInterval(timer));
  const replace = (next: Sync) => mutate((current) => (current ?? []).map((s) => (s.id === next.id ? next : s)));
  const [deletedNote, setDeletedNote] = createSignal<string | null>(null);
  const removeCard = (gone: Sync) => {
    mutate((current) => (current ?? []).filter((s) => s.id !== gone.id));
    setDeletedNote(`“${gone.settings.name}” was deleted. Its audience and every member in it stay; new changes in the CRM no longer reach them.`);
  };

  return (
    <>
      <Show when={deletedNote()}>
        <p class="notice info" role="status" data-testid="sync-deleted">
          {deletedNote()}
        </p>
      </Show>
      <Show when={(list()?.length ?? 0) > 0 || syncs.error}>
        <h2 class="section-heading">Kept in sync</h2>
        <Show when={syncs.error}>
          <ErrorNotice error={syncs.error} retry={refetch} />
        </Show>
        <div class="connections">
          <For each={list()}>
            {(s) => (
              <SyncCard
                sync={s}
                connection={props.connections.find((c) => c.id === s.connectionId) ?? null}
                onChanged={replace}
                onDeleted={removeCard}
                refresh={() => void refetch()}
              />
            )}
          </For>
        </div>
      </Show>
    </>
  );
}

function SyncCard(props: { sync: Sync; connection: CrmConnection | null; onChanged: (s: Sync) => void; onDeleted: (s: Sync) => void; refresh: () => void }) {
  const s = () => props.sync;
  const [confirmDelete, setConfirmDelete] = createSignal(false);
  const status = () => syncStatus(s());
  const busyAction = createBusyAction();
  const { busy, error } = busyAction;

  const act = (action: () => Promise<unknown>) =>
    busyAction.act(async () => {
      const answer = await action();
      if (answer && typeof answer === 'object' && 'health' in answer) props.onChanged(answer as Sync);
      else props.refresh();
    });

  return (
    <article class="card connection sync-card" data-testid={`sync-${s().id}`} aria-label={`Sync ${s().settings.name}`}>
      <header class="connection-head">
        <div class="connection-title">
          <h3>{s().settings.name}</h3>
          <span class="muted">
            Table {s().settings.object} · {props.connection ? connectionLabel(props.connection) : 'a removed connection'}
          </span>
        </div>
        <span class={`badge ${status().tone}`} data-testid="sync-health">
          {status().badge}
        </span>
      </header>

      <Show when={props.connection?.disabledAt}>
        <p class="notice info" data-testid="sync-disabled">
          {props.connection?.accessRemovedAt
            ? 'Does not run: the access of its integration was removed. An admin can reconnect it on this page.'
            : 'Does not run: its integration is disabled. An admin can enable it on this page.'}
        </p>
      </Show>
      <Show when={status().detail}>
        <p class={status().tone === 'error' ? 'notice error' : 'muted'} data-testid="sync-detail">
          {status().detail}
        </p>
      </Show>

      <Show when={status().notice}>
        <p class="notice info" data-testid="sync-run-notice">
          {status().notice}
        </p>
      </Show>

      <dl class="connection-facts">
        <div>
          <dt>Updates</dt>
          <dd>{CYCLE_WORDS[s().settings.cycle]}</dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd data-testid="sync-next-run">{nextRunWords(s())}</dd>
        </div>
        <div>
          <dt>Key field</dt>
          <dd>{s().settings.mapping.identifier}</dd>
        </div>
        <div>
          <dt>Consent confirmed by</dt>
          <dd>{s().consent.confirmedBy}</dd>
        </div>
      </dl>

      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>

      <div class="actions connection-actions">
        <Link class="button small-button" href={`/audiences/${encodeURIComponent(s().audienceId)}`}>
          Open audience
        </Link>
        <Show when={canManage()}>
        <Show
          when={s().paused}
          fallback={
            <button type="button" class="small-button" disabled={busy()} onClick={() => void act(() => syncsApi.pause(s().id))}>
              Pause
            </button>
          }
        >
          <button type="button" class="small-button" disabled={busy()} onClick={() => void act(() => syncsApi.resume(s().id))}>
            Resume
          </button>
        </Show>
        </Show>
        <button
          type="button"
          class="primary small-button"
          disabled={busy() || s().health === 'running' || Boolean(props.connection?.disabledAt)}
          onClick={() => void act(() => syncsApi.runNow(s().id))}
        >
          {s().health === 'running' ? 'Running…' : 'Run now'}
        </button>
        <Show when={canManage()}>
          <button
            type="button"
            class="danger small-button"
            disabled={busy() || s().health === 'running' || confirmDelete()}
            title={s().health === 'running' ? 'A run is going: delete the sync once it has ended' : undefined}
            onClick={() => setConfirmDelete(true)}
          >
            Delete sync
          </button>
        </Show>
      </div>

      <Show when={confirmDelete()}>
        <ConfirmNotice
          label="Confirm deleting the sync"
          testId="sync-delete-confirm"
          tone="error"
          class="sync-delete-confirm"
          confirmLabel="Delete sync"
          busy={busy()}
          onConfirm={() =>
            void busyAction.act(async () => {
              await syncsApi.remove(s().id);
              props.onDeleted(s());
            })
          }
          onKeep={() => setConfirmDelete(false)}
        >
          <p>
            Delete the sync <strong>{s().settings.name}</strong>? It stops keeping its audience up to date with {props.connection ? connectionLabel(props.connection) : 'the CRM'}.
          </p>
          <p>
            <strong>What stays:</strong> the audience and every member in it, with their values, and its import history. Nothing changes in the CRM.
          </p>
          <p>
            <strong>What goes:</strong> the schedule, the settings and their versions, and the sync's run history. This cannot be undone.
          </p>
        </ConfirmNotice>
      </Show>
    </article>
  );
}
