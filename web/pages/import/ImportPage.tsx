import { createMemo, createResource, For, Show } from 'solid-js';
import { connectionsApi } from '../../api/connections.ts';
import { CrmImportPanel } from '../crm/CrmImportPanel.tsx';
import { resourceValue } from '../crm/crmImport.ts';
import { connectionLabels } from '../crm/crmNames.ts';
import { CrmSources, type SourceChoice } from '../crm/CrmSources.tsx';
import { formatDate } from '../formatting.ts';
import { location, navigate } from '../navigation.tsx';
import { DropZone } from './DropZone.tsx';
import { createImportSession } from './importSession.ts';
import { MappingPanel } from './MappingPanel.tsx';
import { ParsePanel } from './ParsePanel.tsx';
import { SavePanel } from './SavePanel.tsx';

export function ImportPage() {
  const session = createImportSession({ onFinished: (id) => navigate(`/imports/${encodeURIComponent(id)}/report`) });
  const [connectionList] = createResource(() => connectionsApi.list());
  // A disabled integration is no source: nothing may be pulled from it (Integrated systems lists it, and why).
  const connections = () => resourceValue(connectionList, true)?.filter((c) => c.disabledAt === null);
  // The source lives in the URL (?connection=…&object=…&run=1), so "Import again" elsewhere can link straight to it.
  const choiceKey = createMemo(() => {
    const q = new URLSearchParams(location().search);
    return JSON.stringify([q.get('connection'), q.get('object'), q.get('run') === '1']);
  });
  const choice = createMemo(() => {
    const [connectionId, object, run] = JSON.parse(choiceKey()) as [string | null, string | null, boolean];
    return connectionId ? { connectionId, object, run } : null;
  });
  const labels = createMemo(() => connectionLabels(connections() ?? []));
  const chosenConnection = createMemo(() => {
    const c = choice();
    return c ? (connections()?.find((x) => x.id === c.connectionId) ?? null) : null;
  });
  const choose = (next: SourceChoice | null) => {
    const q = new URLSearchParams(location().search);
    for (const key of ['connection', 'object', 'run']) q.delete(key);
    if (next) {
      q.set('connection', next.connectionId);
      if (next.object) q.set('object', next.object);
      if (next.run) q.set('run', '1');
    }
    const search = q.toString();
    navigate(`/import${search ? `?${search}` : ''}`);
  };
  /** The grid below shows the rows of the source chosen above, not those of a source the user switched away from. */
  const rowsOfChoice = () => {
    const c = choice();
    const rows = session.crm();
    return c ? rows?.source.connectionId === c.connectionId : session.file() !== null;
  };
  return (
    <section class="page">
      <header>
        <h1>Import contacts</h1>
        <p>
          Bring a contact list into an audience: map each column to a platform field, pick the column that identifies a contact, mark
          sensitive columns (stored only hashed and encrypted), and save.
        </p>
      </header>

      <Show when={session.pendingElsewhere()}>
        {(pending) => {
          const p = () => pending();
          return (
            <div class="notice info" role="status" data-testid="pending-import">
              <div class="notice-body">
                The import of <strong>{p()?.fileName}</strong> into <strong>{p()?.audienceName || 'an audience'}</strong>, started{' '}
                {formatDate(p()?.startedAt ?? '')}, did not finish. Select the same file again to resume it where it stopped.
              </div>
              <div class="notice-actions">
                <button type="button" onClick={() => session.forgetPending()}>
                  Forget it
                </button>
              </div>
            </div>
          );
        }}
      </Show>

      <Show when={(connections()?.length ?? 0) > 0}>
        <div class="source-switch" role="group" aria-label="Import from">
          <span class="source-switch-label">Import from</span>
          <button type="button" aria-pressed={choice() === null} disabled={session.locked()} onClick={() => choose(null)}>
            CSV file
          </button>
          <For each={connections()}>
            {(c) => (
              <button
                type="button"
                aria-pressed={choice()?.connectionId === c.id}
                disabled={session.locked()}
                onClick={() => choice()?.connectionId !== c.id && choose({ connectionId: c.id, object: null, run: false })}
              >
                {labels().get(c.id)}
              </button>
            )}
          </For>
        </div>
      </Show>

      <div class={`source-tabs${choice() ? ' crm' : ''}`}>
        <Show
          when={choice()}
          fallback={
            <section class="card" aria-labelledby="csv-heading" style={{ margin: 0 }}>
              <h2 id="csv-heading">CSV file</h2>
              <DropZone onFile={session.loadFile} compact={session.file() !== null} fileName={session.file()?.name} disabled={session.busy()} />
              <div style={{ 'margin-top': session.file() ? 'var(--space-4)' : '0' }}>
                <ParsePanel session={session} />
              </div>
            </section>
          }
        >
          <Show
            when={chosenConnection()}
            keyed
            fallback={
              <section class="card" style={{ margin: 0 }}>
                <Show when={!connectionList.loading} fallback={<p class="muted">Loading…</p>}>
                  <p>This connection does not exist any more.</p>
                  <button type="button" onClick={() => choose(null)}>
                    Import a CSV file instead
                  </button>
                </Show>
              </section>
            }
          >
            {(connection) => (
              // Keyed by the whole choice: "Import again" of another table starts from that table's saved import.
              <Show when={choiceKey()} keyed>
                <CrmImportPanel connection={connection} session={session} initialObject={choice()?.object ?? null} autoRun={choice()?.run ?? false} />
              </Show>
            )}
          </Show>
        </Show>
        <section class="card integrated-systems" aria-labelledby="crm-heading" data-testid="integrated-systems">
          <h2 id="crm-heading">Integrated systems</h2>
          <CrmSources
            connections={connections()}
            loading={connectionList.loading}
            error={connectionList.error}
            disabled={session.locked()}
            onChoose={choose}
          />
        </section>
      </div>

      <Show when={session.source() && rowsOfChoice()}>
        <MappingPanel session={session} />
        <SavePanel session={session} />
      </Show>
    </section>
  );
}
