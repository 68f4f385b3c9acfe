import { createResource, For, Show } from 'solid-js';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import { connectionsApi } from '../../api/connections.ts';
import { connectionStatus } from '../connections/connectionStatus.ts';
import { CrmLogo } from '../connections/CrmLogo.tsx';
import { formatDate } from '../formatting.ts';
import { Link } from '../navigation.tsx';
import { resourceValue } from './crmImport.ts';
import { crmName, hostOf } from './crmNames.ts';

export type SourceChoice = { connectionId: string; object: string | null; run: boolean };

/**
 * The import page's "Integrated systems" card: each connection with its state and its saved imports, each of which
 * runs again with one click. Choosing the connection itself happens in the source switch above the cards.
 */
export function CrmSources(props: {
  connections: readonly CrmConnection[] | undefined;
  loading: boolean;
  error: unknown;
  onChoose: (choice: SourceChoice) => void;
  disabled: boolean;
}) {
  return (
    <>
      <Show when={props.error}>
        <p class="muted small">The connected CRMs could not be loaded right now.</p>
      </Show>
      <Show when={props.loading && !props.connections}>
        <p class="muted">Loading…</p>
      </Show>
      <Show when={props.connections?.length === 0}>
        <p class="empty-state">No CRM is connected yet.</p>
        <p class="muted small">
          Connect Salesforce or Microsoft Dynamics 365 to import contacts, leads and accounts straight from it.
        </p>
        <Link class="button" href="/connections">
          Connect a CRM
        </Link>
      </Show>
      <Show when={(props.connections?.length ?? 0) > 0}>
        <ul class="systems">
          <For each={props.connections}>{(c) => <SourceItem connection={c} onChoose={props.onChoose} disabled={props.disabled} />}</For>
        </ul>
        <Link class="small" href="/connections">
          Manage integrated systems
        </Link>
      </Show>
    </>
  );
}

function SourceItem(props: { connection: CrmConnection; onChoose: (choice: SourceChoice) => void; disabled: boolean }) {
  const [configs] = createResource(() => props.connection.id, (id) => connectionsApi.configs(id));
  // As last learned: a pull on this page whose login was refused turns the badge at once, not after a reload.
  const needsLogin = () => connectionStatus(props.connection) === 'needs_reauth';
  return (
    <li class="system" data-testid={`source-${props.connection.id}`}>
      <div class="system-head">
        <CrmLogo kind={props.connection.kind} size={28} />
        <div class="system-name">
          <strong>{crmName(props.connection.kind)}</strong>
          <span class="muted small">{props.connection.orgName ?? hostOf(props.connection.instanceUrl)}</span>
          <Show when={props.connection.userName}>{(user) => <span class="muted small">{user()}</span>}</Show>
          <span>
            <Show when={needsLogin()} fallback={<span class="badge ok" data-testid="source-status">Connected</span>}>
              <Link class="badge warn" href="/connections" data-testid="source-status">
                Needs a new login: reconnect
              </Link>
            </Show>
          </span>
        </div>
      </div>
      <Show when={(resourceValue(configs, true)?.length ?? 0) > 0}>
        <ul class="saved-imports">
          <For each={resourceValue(configs, true)}>
            {(cfg) => (
              <li>
                <span class="saved-name">
                  <span>{cfg.object}</span>
                  <span class="muted small">saved {formatDate(cfg.updatedAt)}</span>
                </span>
                <button
                  type="button"
                  class="small-button"
                  disabled={props.disabled || needsLogin()}
                  aria-label={`Import ${cfg.object} from ${crmName(props.connection.kind)} again`}
                  onClick={() => props.onChoose({ connectionId: props.connection.id, object: cfg.object, run: true })}
                >
                  Import again
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </li>
  );
}
