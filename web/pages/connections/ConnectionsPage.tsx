import { createResource, createSignal, For, Show } from 'solid-js';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import { connectionsApi } from '../../api/connections.ts';
import { resourceValue } from '../crm/crmImport.ts';
import { connectionLabel, crmName } from '../crm/crmNames.ts';
import { canManage } from '../auth/session.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { Link, navigate } from '../navigation.tsx';
import { takeReturn } from '../crm/pullResume.ts';
import { callbackOutcome, type CallbackOutcome, takeConnecting } from './callbackMessage.ts';
import { noteSignedIn } from './connectionStatus.ts';
import { ConnectDynamics } from './ConnectDynamics.tsx';
import { ConnectionCard } from './ConnectionCard.tsx';
import { ConnectSalesforce } from './ConnectSalesforce.tsx';
import { SyncCards } from './SyncCards.tsx';

/** /connections: the workspace's CRM connections, and connecting new ones. Sign-in round trips land here. */
export default function ConnectionsPage() {
  // Read once: the landing URL is cleaned at once, so a reload does not announce the same result again.
  const [outcome, setOutcome] = createSignal<CallbackOutcome | null>(callbackOutcome(window.location.search, takeConnecting() ?? undefined));
  const landed = outcome();
  if (landed?.kind === 'connected') noteSignedIn(landed.connectionId);
  // A sign-in started from an import goes back to it (its selection and rows were kept for the trip).
  const back = landed?.kind === 'connected' ? takeReturn(landed.connectionId) : null;
  if (back) navigate(back, { replace: true });
  else if (landed) navigate('/connections', { replace: true });
  const [connections, { refetch, mutate }] = createResource(() => connectionsApi.list());
  const list = () => resourceValue(connections, true);
  const connected = () => {
    const o = outcome();
    return o?.kind === 'connected' ? (list()?.find((c) => c.id === o.connectionId) ?? null) : null;
  };

  const added = (connection: CrmConnection) => {
    noteSignedIn(connection.id);
    mutate((current) => [...(current ?? []).filter((c) => c.id !== connection.id), connection]);
    setOutcome({ kind: 'connected', connectionId: connection.id });
  };

  return (
    <section class="page">
      <header>
        <h1>Integrated systems</h1>
        <p>
          Connect your CRM once, then import its contacts, leads and accounts straight into an audience: no export, no file. Nothing is
          written to your CRM until someone presses “Sync to CRM” on an audience; what it writes is set in each integration’s settings.
        </p>
      </header>

      <Show when={outcome()?.kind === 'error' ? (outcome() as Extract<CallbackOutcome, { kind: 'error' }>) : null}>
        {(o) => (
          <div class="notice error" role="alert" data-testid="connect-result">
            <div class="notice-body">
              <strong>Not connected.</strong> {o().message}
            </div>
            <div class="notice-actions">
              <button type="button" class="link" onClick={() => setOutcome(null)}>
                Dismiss
              </button>
            </div>
          </div>
        )}
      </Show>
      <Show when={connected()}>
        {(c) => (
          <div class="notice ok" role="status" data-testid="connect-result">
            <div class="notice-body">
              <strong>{crmName(c().kind)} is connected.</strong> {c().orgName ? `${c().orgName}, ` : ''}
              {c().userName ? `signed in as ${c().userName}. ` : ''}You can import from it now.
            </div>
            <div class="notice-actions">
              <Link class="button primary" href={`/import?connection=${encodeURIComponent(c().id)}`}>
                Import from {connectionLabel(c())}
              </Link>
              <button type="button" class="link" onClick={() => setOutcome(null)}>
                Dismiss
              </button>
            </div>
          </div>
        )}
      </Show>

      <Show when={connections.error}>
        <ErrorNotice error={connections.error} retry={refetch} />
      </Show>
      <Show when={connections.loading && !list()}>
        <p class="muted">Loading connections…</p>
      </Show>
      {/* Disabled integrations stay listed (never deleted), but none of them is a connection to import from. */}
      <Show when={list() && list()?.every((c) => c.disabledAt !== null)}>
        <div class="card empty" data-testid="no-connections">
          <p>
            <strong>No CRM is connected yet.</strong>
          </p>
          <p>
            Connect Salesforce or Microsoft Dynamics 365 below to import from it.
            {(list()?.length ?? 0) > 0 ? ' Disabled integrations are listed below with their saved imports and history.' : ''}
          </p>
        </div>
      </Show>
      <div class="connections">
        <For each={list()}>
          {(c) => (
            <ConnectionCard
              connection={c}
              highlight={outcome()?.kind === 'connected' && (outcome() as { connectionId: string }).connectionId === c.id}
              onChanged={(changed) => {
                mutate((current) => (current ?? []).map((x) => (x.id === changed.id ? changed : x)));
                if (outcome()?.kind === 'connected') setOutcome(null);
              }}
            />
          )}
        </For>
      </div>

      <SyncCards connections={list() ?? []} />

      {/* Connecting a CRM is an admin's or key contact's change (the API refuses anyone else too). */}
      <Show when={canManage()}>
        <h2 class="section-heading">Add a connection</h2>
        <div class="connect-grid">
          <ConnectSalesforce />
          <ConnectDynamics onConnected={added} />
        </div>
      </Show>
    </section>
  );
}
