import { For, Match, Show, Switch } from 'solid-js';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import type { RetryPolicy } from '../../api/retryPolicy.ts';
import { CrmLogo } from '../connections/CrmLogo.tsx';
import { formatCount, formatDate, plural } from '../formatting.ts';
import { Link } from '../navigation.tsx';
import type { ImportSession } from '../import/importSession.ts';
import { AttributePicker } from './AttributePicker.tsx';
import { CrmProblemNotice } from './CrmProblemNotice.tsx';
import { createCrmImport, type CrmImport, resourceValue } from './crmImport.ts';
import { hostOf } from './crmNames.ts';
import { FilterRows } from './FilterRows.tsx';
import { roleText } from './objectOrder.ts';

/**
 * The CRM side of the import page: table, attributes, filters, preview, and the pull whose rows land in the same
 * grid, mapping, consent and save as a file's.
 */
export function CrmImportPanel(props: {
  connection: CrmConnection;
  session: ImportSession;
  initialObject: string | null;
  autoRun: boolean;
  retry?: RetryPolicy;
}) {
  const c = createCrmImport({
    connection: props.connection,
    session: props.session,
    initialObject: props.initialObject,
    autoRun: props.autoRun,
    ...(props.retry ? { retry: props.retry } : {}),
  });
  const locked = () => c.busy() || props.session.locked();
  return (
    <section class="card crm-import" aria-labelledby="crm-import-heading" data-testid="crm-import">
      <div class="crm-import-head">
        <CrmLogo kind={props.connection.kind} />
        <div>
          <h2 id="crm-import-heading">Import from {c.crm}</h2>
          <p class="muted small">
            {props.connection.orgName ?? hostOf(props.connection.instanceUrl)}
            {props.connection.userName ? ` · signed in as ${props.connection.userName}` : ''}
          </p>
        </div>
      </div>

      <Show when={c.restored()}>
        {(back) => (
          <div class="notice info" role="status" data-testid="resumed-import">
            <div class="notice-body">
              Signed in to {c.crm} again. Your attributes and filters are as you left them
              {back().pulled ? `, and the ${plural(back().pulled?.rows.length ?? 0, 'record')} pulled before were kept: the pull continued where it stopped.` : '.'}
            </div>
          </div>
        )}
      </Show>

      {/* Only before anything failed: a failed call says the same with its own notice below. */}
      <Show when={props.connection.status === 'needs_reauth'}>
        <div class="notice warn" role="alert">
          <div class="notice-body">{c.crm} no longer accepts this connection’s login. Reconnect it to import from it; nothing you choose here is lost.</div>
          <div class="notice-actions">
            <button type="button" class="primary" onClick={() => void c.reconnect()}>
              Reconnect
            </button>
          </div>
        </div>
      </Show>

      <Show when={c.objects.error}>
        <CrmProblemNotice error={c.objects.error} connection={props.connection} retry={c.refetchObjects} reconnect={c.reconnect} testId="crm-load-problem" />
      </Show>

      {/* Without the CRM's list of tables there is nothing to choose from yet: the notice above says what to do. */}
      <Show when={!c.objects.error}>
        <div class="crm-step">
          <div class="field">
            <label for="crm-table">Table</label>
            <select
              id="crm-table"
              disabled={locked() || c.objects.loading}
              value={c.objectName() ?? ''}
              onChange={(e) => c.chooseObject(e.currentTarget.value)}
            >
              <option value="" disabled>
                {c.objects.loading ? 'Loading tables…' : 'Choose a table…'}
              </option>
              <For each={c.tables()}>
                {(o) => (
                  <option value={o.name}>
                    {o.label} ({roleText(o)}){resourceValue(c.configs, true)?.some((cfg) => cfg.object === o.name) ? ' · saved import' : ''}
                  </option>
                )}
              </For>
            </select>
            <span class="hint">Contacts and Leads are imported as leads, Accounts as companies; one table per import.</span>
          </div>
          <Show when={c.config()}>
            {(cfg) => (
              <div class="notice info" data-testid="saved-config">
                <div class="notice-body">
                  You imported this table before ({plural(cfg().attributes.length, 'attribute')}
                  {cfg().filters.length ? `, ${plural(cfg().filters.length, 'filter')}` : ''}, saved {formatDate(cfg().updatedAt)}). Its
                  attributes and filters are filled in below; change them, or import again as they are.
                </div>
              </div>
            )}
          </Show>
        </div>

        <Show when={c.objectName()}>
          {/* One notice is enough: when the tables could not be read, the fields fail for the same reason. */}
          <Show when={c.fields.error && !c.objects.error}>
            <CrmProblemNotice error={c.fields.error} connection={props.connection} retry={c.refetchFields} reconnect={c.reconnect} testId="crm-load-problem" />
          </Show>
          <Show when={c.fields.loading}>
            <p class="muted">Reading the table’s fields…</p>
          </Show>
          <Show when={resourceValue(c.fields)}>
            {(fields) => (
              <>
                <div class="crm-step">
                  <h3>Attributes</h3>
                  <p class="muted small">
                    The fields to import, one column each. The defaults are picked and pre-mapped for you; add or remove fields with{' '}
                    <kbd>&gt;</kbd> and <kbd>&lt;</kbd>.
                  </p>
                  <Show when={c.missing().length > 0}>
                    <div class="notice warn" role="status">
                      <div class="notice-body">
                        {c.crm} no longer has {c.missing().join(', ')}, which the saved import read; {c.missing().length === 1 ? 'it was' : 'they were'} left
                        out.
                      </div>
                    </div>
                  </Show>
                  <AttributePicker
                    fields={fields()}
                    selected={c.selected()}
                    onChange={c.setSelected}
                    picks={c.picks()}
                    platformFields={props.session.fields() ?? []}
                    defaults={c.defaults()}
                    disabled={locked()}
                  />
                </div>

                <div class="crm-step">
                  <h3>
                    Filters <span class="muted small">(optional)</span>
                  </h3>
                  <p class="muted small">Only records that meet every filter are imported.</p>
                  <FilterRows
                    fields={fields()}
                    filters={c.filters()}
                    problems={c.filterProblems()}
                    crm={c.crm}
                    onChange={c.setFilters}
                    onAdd={c.addFilter}
                    disabled={locked()}
                  />
                </div>

                <CrmActions c={c} locked={locked()} />
              </>
            )}
          </Show>
        </Show>
      </Show>
    </section>
  );
}

function CrmActions(props: { c: CrmImport; locked: boolean }) {
  const c = props.c;
  const previewFresh = () => {
    const p = c.preview();
    return p.status === 'ready' && p.selectionKey === c.selectionKey() ? p : null;
  };
  const pulling = () => {
    const p = c.pull();
    return p.status === 'pulling' || p.status === 'stopped' || p.status === 'failed' || p.status === 'done' ? p : null;
  };
  const percent = () => {
    const p = pulling()?.progress;
    return p && p.total ? Math.min(100, Math.round((p.pulled / p.total) * 100)) : 0;
  };
  const nothingSelected = () => c.selected().length === 0;
  const held = () => nothingSelected() || c.filtersBlocked();
  const emptyPull = () => {
    const p = c.pull();
    return p.status === 'done' && p.progress.pulled === 0;
  };
  return (
    <div class="crm-step">
      <div class="actions">
        <button type="button" disabled={props.locked || held() || c.preview().status === 'loading'} onClick={() => void c.loadPreview()}>
          {c.preview().status === 'loading' ? 'Loading preview…' : 'Preview'}
        </button>
        <button type="button" class="primary" disabled={props.locked || held()} onClick={() => void c.upload()}>
          {previewFresh() ? `Upload ${plural(previewFresh()?.total ?? 0, 'record')}` : 'Upload'}
        </button>
        <Show when={nothingSelected()}>
          <span class="reason-text">Select at least one attribute</span>
        </Show>
        <Show when={!nothingSelected() && c.filtersBlocked()}>
          <span class="reason-text">Change or remove the filter marked above</span>
        </Show>
        <Show when={c.incompleteFilters() > 0}>
          <span class="muted small">{plural(c.incompleteFilters(), 'filter has', 'filters have')} no value yet and will be ignored.</span>
        </Show>
      </div>

      <Show when={c.previewWaited()}>
        {(seconds) => (
          <p class="small warn-text" role="status" data-testid="preview-waiting">
            Still waiting for {c.crm}… ({seconds()} s){' '}
            <button type="button" class="link" onClick={() => c.cancelPreview()}>
              Cancel
            </button>
          </p>
        )}
      </Show>

      <Show when={c.preview().status === 'failed' ? (c.preview() as { problem: { message: string } }).problem : null}>
        {(problem) => (
          <div class="notice error" role="alert" style={{ 'margin-top': 'var(--space-4)' }} data-testid="preview-error">
            <div class="notice-body">{problem().message}</div>
          </div>
        )}
      </Show>

      {/* Once pulled, the rows are in the grid below: the preview would only push it down. */}
      <Show when={c.preview().status === 'ready' && c.pull().status !== 'done' ? (c.preview() as Extract<ReturnType<typeof c.preview>, { status: 'ready' }>) : null}>
        {(p) => (
          <div class="crm-preview" data-testid="crm-preview">
            <p>
              <strong data-testid="preview-total">{plural(p().total, 'record matches', 'records match')}</strong>
              <span class="muted">
                {p().total > p().rows.length ? ` · the first ${formatCount(p().rows.length)} are shown` : ''}
                {p().selectionKey !== c.selectionKey() ? ' · the selection changed since: preview again to see it' : ''}
              </span>
            </p>
            <Show when={p().rows.length > 0}>
              <div class="table-wrap crm-preview-table">
                <table class="data">
                  <thead>
                    <tr>
                      <For each={p().headers}>{(h) => <th scope="col">{h}</th>}</For>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={p().rows}>
                      {(row) => (
                        <tr>
                          <For each={row}>{(cell) => <td>{cell === '' ? <span class="muted">—</span> : cell}</td>}</For>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </Show>
          </div>
        )}
      </Show>

      <Show when={pulling()}>
        {(p) => (
          <div class="progress crm-pull" role="status" aria-live="polite" data-testid="crm-pull">
            <div class="progress-label">
              <span>
                <Switch>
                  <Match when={p().status === 'pulling'}>Pulling records from {c.crm}…</Match>
                  <Match when={p().status === 'stopped'}>Pull paused</Match>
                  <Match when={p().status === 'failed'}>Pull stopped</Match>
                  <Match when={emptyPull()}>No records to import</Match>
                  <Match when={p().status === 'done'}>All records pulled: map them below ↓</Match>
                </Switch>
              </span>
              <span class="muted num" data-testid="pull-count">
                {formatCount(p().progress.pulled)}
                {p().progress.total !== null ? ` of ${formatCount(p().progress.total ?? 0)}` : ''} records pulled
              </span>
            </div>
            <progress max="100" value={p().status === 'done' && !emptyPull() ? 100 : percent()} aria-label="Records pulled" />
            <Show when={p().status === 'pulling' ? (p() as { retrying: string | null }).retrying : null}>
              {(message) => (
                <span class="small warn-text" data-testid="pull-retrying">
                  {message()}
                </span>
              )}
            </Show>
            <Show when={p().status === 'pulling' && !(p() as { retrying: string | null }).retrying ? c.pullWaited() : null}>
              {(seconds) => (
                <span class="small warn-text" data-testid="pull-waiting">
                  Still waiting for {c.crm}… ({seconds()} s)
                </span>
              )}
            </Show>
            <Show when={p().status === 'done' && (p() as { retries: number }).retries > 0}>
              <span class="muted small" data-testid="pull-recovered">
                {c.crm} did not answer every time; the pages concerned were asked for again, so no record is missing or counted twice.
              </span>
            </Show>
            <Show when={p().status === 'pulling'}>
              <div>
                <button type="button" class="link" onClick={() => c.cancel()}>
                  Cancel
                </button>
              </div>
            </Show>
          </div>
        )}
      </Show>

      <Show when={emptyPull()}>
        <div class="notice info" role="status" style={{ 'margin-top': 'var(--space-4)' }} data-testid="pull-empty">
          <div class="notice-body">
            {c.crm} has no {c.object()?.label ?? c.objectName()} records that match this selection, so there is nothing to map or save. Change or
            remove a filter, then upload again.
          </div>
        </div>
      </Show>

      <Show when={c.pull().status === 'stopped' || c.pull().status === 'failed' ? (c.pull() as { problem: { message: string; reconnect: boolean; retryable: boolean } }).problem : null}>
        {(problem) => (
          <div class={`notice ${problem().retryable ? 'warn' : 'error'}`} role="alert" style={{ 'margin-top': 'var(--space-4)' }} data-testid="pull-problem">
            <div class="notice-body">
              {problem().message}{' '}
              {problem().retryable
                ? `The ${formatCount(c.pull().status === 'stopped' ? (pulling()?.progress.pulled ?? 0) : 0)} records pulled so far are kept; Retry continues where it stopped.`
                : ''}
            </div>
            <div class="notice-actions">
              <Show when={problem().retryable}>
                <button type="button" class="primary" onClick={() => void c.upload()}>
                  Retry
                </button>
              </Show>
              <Show when={problem().reconnect}>
                <button type="button" onClick={() => void c.reconnect()}>
                  Reconnect
                </button>
              </Show>
            </div>
          </div>
        )}
      </Show>

      <Show when={c.configWarning()}>{(w) => <p class="muted small">{w()}</p>}</Show>
    </div>
  );
}
