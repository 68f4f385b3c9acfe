import { createResource, createSignal, For, Show } from 'solid-js';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import { connectionsApi } from '../../api/connections.ts';
import { resourceValue } from '../crm/crmImport.ts';
import { crmName, hostOf } from '../crm/crmNames.ts';
import { ErrorNotice } from '../ErrorNotice.tsx';
import { formatDate, plural } from '../formatting.ts';
import { Link } from '../navigation.tsx';
import { connectionStatus } from './connectionStatus.ts';
import { CrmLogo } from './CrmLogo.tsx';
import { reconnect as startReconnect } from './signIn.ts';

const importLink = (id: string, object?: string, run = false) => {
  const q = new URLSearchParams({ connection: id });
  if (object) q.set('object', object);
  if (run) q.set('run', '1');
  return `/import?${q}`;
};

/** One connection: who and where, whether it still works, and its saved imports, each one click from running again. */
export function ConnectionCard(props: { connection: CrmConnection; highlight: boolean; onRemoved: () => void }) {
  const c = () => props.connection;
  const crm = () => crmName(c().kind);
  const [configs] = createResource(() => c().id, (id) => connectionsApi.configs(id));
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const needsLogin = () => connectionStatus(c()) === 'needs_reauth';

  async function reconnect() {
    setBusy(true);
    setError(null);
    try {
      await startReconnect(c());
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await connectionsApi.remove(c().id);
      props.onRemoved();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <article class={`card connection${props.highlight ? ' highlight' : ''}`} data-testid={`connection-${c().id}`} aria-label={`${crm()} connection`}>
      <header class="connection-head">
        <CrmLogo kind={c().kind} size={44} />
        <div class="connection-title">
          <h3>{crm()}</h3>
          <span class="muted">{c().orgName ?? hostOf(c().instanceUrl)}</span>
        </div>
        <Show when={needsLogin()} fallback={<span class="badge ok" data-testid="connection-status">Connected</span>}>
          <span class="badge warn" data-testid="connection-status">
            Needs a new login
          </span>
        </Show>
      </header>

      <dl class="connection-facts">
        <div>
          <dt>Address</dt>
          <dd>{hostOf(c().instanceUrl)}</dd>
        </div>
        <div>
          <dt>Signed in as</dt>
          <dd>{c().userName ?? '—'}</dd>
        </div>
        <div>
          <dt>Last import</dt>
          <dd data-testid="last-import">{c().lastImportAt ? formatDate(c().lastImportAt ?? '') : 'Never'}</dd>
        </div>
        <div>
          <dt>Connected</dt>
          <dd>{formatDate(c().createdAt)}</dd>
        </div>
      </dl>

      <Show when={needsLogin()}>
        <div class="notice warn" role="status">
          <div class="notice-body">
            {crm()} no longer accepts this connection’s login (the password changed, or access was revoked). Reconnect with the same user to
            import again; saved imports are kept.
          </div>
        </div>
      </Show>

      <Show when={(resourceValue(configs, true)?.length ?? 0) > 0}>
        <h4 class="saved-heading">Saved imports</h4>
        <ul class="saved-imports">
          <For each={resourceValue(configs, true)}>
            {(cfg) => (
              <li data-testid={`config-${cfg.object}`}>
                <span class="saved-name">
                  <strong>{cfg.object}</strong>
                  <span class="muted small">
                    {plural(cfg.attributes.length, 'attribute')}
                    {cfg.filters.length ? ` · ${plural(cfg.filters.length, 'filter')}` : ''} · saved {formatDate(cfg.updatedAt)}
                  </span>
                </span>
                <span class="actions">
                  <Link class="button small-button" href={importLink(c().id, cfg.object)} aria-label={`Change the attributes of ${cfg.object}`}>
                    Change attributes
                  </Link>
                  <Show
                    when={!needsLogin()}
                    fallback={
                      <button type="button" class="small-button" disabled>
                        Import again
                      </button>
                    }
                  >
                    <Link class="button primary small-button" href={importLink(c().id, cfg.object, true)} aria-label={`Import ${cfg.object} again`}>
                      Import again
                    </Link>
                  </Show>
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>

      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>

      <div class="actions connection-actions">
        <Show
          when={needsLogin()}
          fallback={
            <Link class="button" href={importLink(c().id)}>
              Import from {crm()}
            </Link>
          }
        >
          <button type="button" class="primary" disabled={busy()} onClick={() => void reconnect()}>
            Reconnect
          </button>
        </Show>
        <Link class="button" href={`/connections/${encodeURIComponent(c().id)}/integration`} data-testid="integration-settings">
          Integration settings
        </Link>
        <span class="spacer" />
        <Show
          when={confirming()}
          fallback={
            <button type="button" class="link danger" disabled={busy()} onClick={() => setConfirming(true)}>
              Remove connection
            </button>
          }
        >
          <span class="small">Remove this connection? Contacts already imported stay in their audiences.</span>
          <button type="button" class="danger" disabled={busy()} onClick={() => void remove()}>
            Remove
          </button>
          <button type="button" disabled={busy()} onClick={() => setConfirming(false)}>
            Keep
          </button>
        </Show>
      </div>
    </article>
  );
}
