import { createResource, createSignal, For, Show } from 'solid-js';
import type { CrmConnection, CrmImportConfig } from '../../../shared/schema/crm.ts';
import { connectionsApi } from '../../api/connections.ts';
import { canManage } from '../auth/session.ts';
import { ChangeHistoryList } from './ChangeHistoryList.tsx';
import { TableConfigEditor } from './TableConfigEditor.tsx';
import './changeControl.css';
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

/**
 * One connection: who and where, whether it works, and its saved imports, each one click from running again. Admins
 * and key contacts also change a table's attributes (after an impact preview), disable and enable the integration,
 * remove its access at the CRM, and read its change history; an integration is never deleted.
 */
export function ConnectionCard(props: { connection: CrmConnection; highlight: boolean; onChanged: (connection: CrmConnection) => void }) {
  const c = () => props.connection;
  const crm = () => crmName(c().kind);
  const [configs, { mutate: setConfigs }] = createResource(() => c().id, (id) => connectionsApi.configs(id));
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [editing, setEditing] = createSignal<string | null>(null);
  const [showHistory, setShowHistory] = createSignal(false);
  const [historyKey, setHistoryKey] = createSignal(0);
  const disabled = () => c().disabledAt !== null;
  const accessRemoved = () => c().accessRemovedAt !== null;
  const needsLogin = () => !disabled() && connectionStatus(c()) === 'needs_reauth';
  const usable = () => !disabled() && !needsLogin();

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

  async function lifecycle(step: (id: string) => Promise<CrmConnection>) {
    setBusy(true);
    setError(null);
    try {
      props.onChanged(await step(c().id));
      setConfirming(false);
      setHistoryKey((k) => k + 1);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function saved(config: CrmImportConfig) {
    setConfigs((list) => (list ?? []).map((x) => (x.object === config.object ? config : x)));
    setEditing(null);
    setHistoryKey((k) => k + 1);
  }

  return (
    <article class={`card connection${props.highlight ? ' highlight' : ''}`} data-testid={`connection-${c().id}`} aria-label={`${crm()} connection`}>
      <header class="connection-head">
        <CrmLogo kind={c().kind} size={44} />
        <div class="connection-title">
          <h3>{crm()}</h3>
          <span class="muted">{c().orgName ?? hostOf(c().instanceUrl)}</span>
        </div>
        <Show
          when={disabled()}
          fallback={
            <Show when={needsLogin()} fallback={<span class="badge ok" data-testid="connection-status">Connected</span>}>
              <span class="badge warn" data-testid="connection-status">
                Needs a new login
              </span>
            </Show>
          }
        >
          <span class="badge muted-badge" data-testid="connection-status">
            {accessRemoved() ? 'Access removed' : 'Disabled'}
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

      <Show when={disabled()}>
        <div class="notice info" role="status" data-testid="disabled-notice">
          <div class="notice-body">
            {accessRemoved()
              ? `Access was removed: ${crm()} revoked this connection’s login and no token is kept. Nothing is pulled and its syncs do not run. Reconnect to use it again; saved imports, syncs and the history are kept.`
              : 'This integration is disabled: nothing is pulled from it and its syncs do not run. Saved imports, syncs and the history are kept.'}
          </div>
        </div>
      </Show>

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
                  <Show when={canManage()}>
                    <button
                      type="button"
                      class="small-button"
                      disabled={!usable() || editing() === cfg.object}
                      aria-label={`Change the attributes of ${cfg.object}`}
                      onClick={() => setEditing(cfg.object)}
                    >
                      Change attributes
                    </button>
                  </Show>
                  <Show
                    when={usable()}
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
                <Show when={editing() === cfg.object}>
                  <TableConfigEditor connection={c()} config={cfg} onSaved={saved} onClose={() => setEditing(null)} />
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>

      <Show when={showHistory()}>
        <h4 class="saved-heading">History of this integration</h4>
        <ChangeHistoryList key={`${c().id}:${historyKey()}`} load={(cursor) => connectionsApi.history(c().id, cursor ? { cursor } : {})} />
      </Show>

      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>

      <div class="actions connection-actions">
        <Show when={usable()}>
          <Link class="button" href={importLink(c().id)}>
            Import from {crm()}
          </Link>
        </Show>
        <Show when={canManage() && (needsLogin() || accessRemoved())}>
          <button type="button" class="primary" disabled={busy()} onClick={() => void reconnect()}>
            Reconnect
          </button>
        </Show>
        <Link class="button" href={`/connections/${encodeURIComponent(c().id)}/integration`} data-testid="integration-settings">
          Integration settings
        </Link>
        <Show when={canManage() && disabled() && !accessRemoved()}>
          <button type="button" class="primary" disabled={busy()} onClick={() => void lifecycle(connectionsApi.enable)}>
            Enable
          </button>
        </Show>
        <button type="button" class="link" aria-expanded={showHistory()} onClick={() => setShowHistory(!showHistory())}>
          {showHistory() ? 'Hide history' : 'History'}
        </button>
        <span class="spacer" />
        <Show when={canManage()}>
          <Show
            when={confirming()}
            fallback={
              <>
                <Show when={!disabled()}>
                  <button type="button" class="link" disabled={busy()} onClick={() => void lifecycle(connectionsApi.disable)}>
                    Disable
                  </button>
                </Show>
                <Show when={!accessRemoved()}>
                  <button type="button" class="link danger" disabled={busy()} onClick={() => setConfirming(true)}>
                    Remove access
                  </button>
                </Show>
              </>
            }
          >
            <span class="small">
              Revoke this login at {crm()} and forget its tokens? The integration stays, disabled, with its saved imports, syncs and history; contacts
              already imported stay in their audiences.
            </span>
            <button type="button" class="danger" disabled={busy()} onClick={() => void lifecycle(connectionsApi.removeAccess)}>
              Remove access
            </button>
            <button type="button" disabled={busy()} onClick={() => setConfirming(false)}>
              Keep
            </button>
          </Show>
        </Show>
      </div>
    </article>
  );
}
