import { batch, createEffect, createSignal } from 'solid-js';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import { connectionsApi } from '../../api/connections.ts';
import type { RetryPolicy } from '../../api/retryPolicy.ts';
import { canManage } from '../auth/session.ts';
import { noteLoginRefused } from '../connections/connectionStatus.ts';
import { reconnect as startReconnect } from '../connections/signIn.ts';
import type { ImportSession } from '../import/importSession.ts';
import { suggestColumns } from '../import/suggestColumns.ts';
import { premapColumns } from './crmColumns.ts';
import { crmProblem } from './crmErrorMessage.ts';
import { isCrmIdType } from '../../../shared/mapping/suggestTargets.ts';
import { crmName } from './crmNames.ts';
import { createCrmPreview } from './crmPreview.ts';
import { createCrmPull, type PullJob, type PullRequest } from './crmPull.ts';
import { createCrmSelection, resourceValue } from './crmSelection.ts';
import { forgetPausedImport, keepPausedImport, pausedImport, rememberReturn } from './pullResume.ts';

export { resourceValue } from './crmSelection.ts';
export type { FilterDraft } from './filterValue.ts';
export type { PreviewState } from './crmPreview.ts';
export { PULL_RETRY, type PullState } from './crmPull.ts';

/** The user's own conventions, sent along so "1,5" and "on 2024-01-02" mean what they meant. */
const userLocale = () => (typeof navigator !== 'undefined' && navigator.language) || 'en-US';
const userTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The CRM source of the import page, composed of named parts: the selection (table, attributes, filters), the
 * preview, and the pull, whose rows are handed to the import session to be mapped and saved exactly like a
 * file's. A pull stopped by a refused login survives the sign-in round trip (pullResume.ts).
 */
export function createCrmImport(options: {
  connection: CrmConnection;
  session: ImportSession;
  initialObject: string | null;
  /** "Import again": pull the saved selection as soon as it is loaded. */
  autoRun: boolean;
  retry?: RetryPolicy;
}) {
  const { connection, session } = options;
  const crm = crmName(connection.kind);
  const timeZone = userTimeZone();
  const paused = options.initialObject ? pausedImport(connection.id, options.initialObject) : null;
  // The page has it now; kept again if the user has to leave for another sign-in.
  if (paused) forgetPausedImport(connection.id);
  const selection = createCrmSelection({ connection, crm, initialObject: options.initialObject, paused, locale: userLocale(), timeZone });
  const { objectName, selected, selectionKey, columns, filters } = selection;
  const onLoginRefused = () => noteLoginRefused(connection.id);
  const preview = createCrmPreview({ connectionId: connection.id, crm, currentKey: selectionKey, onLoginRefused });
  const pull = createCrmPull({ connectionId: connection.id, crm, ...(options.retry ? { retry: options.retry } : {}), onPulled: handOver, onLoginRefused });
  const [configWarning, setConfigWarning] = createSignal<string | null>(null);
  /** The filters hold the pull: one names a field the table lost, or a value the app cannot read. */
  const filtersBlocked = () => filters.problems().size > 0;

  function chooseObject(name: string) {
    if (pull.busy()) return;
    batch(() => {
      selection.setObjectName(name);
      pull.cancel();
      preview.reset();
    });
  }

  function request(): PullRequest | null {
    const name = objectName();
    if (!name || selected().length === 0 || filtersBlocked()) return null;
    const p = preview.preview();
    const total = p.status === 'ready' && p.selectionKey === selectionKey() ? p.total : null;
    return { object: name, attributes: selected(), filters: filters.readyFilters(), key: selectionKey(), columns: selection.columns(), total };
  }

  async function loadPreview() {
    const r = request();
    if (r) await preview.load(r);
  }

  async function upload() {
    const r = request();
    if (r) await pull.run(r);
  }

  /** The pulled rows become the import page's rows, pre-mapped from the defaults, saved with the import's config. */
  function handOver(job: PullJob) {
    // Nothing to map: the panel says so, and the page keeps no empty grid asking for a file.
    if (job.pull.progress.pulled === 0) return;
    const store = job.pull.store;
    const headers = store.headers as string[];
    const platformFields = session.fields() ?? [];
    const crmTypes = new Map((resourceValue(selection.fields) ?? []).map((f) => [f.name, f.type]));
    // A derived column (a website's domain) is no id even when its source is.
    const idColumns = job.pull.columns.map((c) => !c.derive && isCrmIdType(crmTypes.get(c.source) ?? ''));
    const suggested = suggestColumns(headers, platformFields, store, session.defaultCountry(), idColumns);
    const tableLabel = selection.object()?.label ?? job.object;
    const premapped = premapColumns(job.pull.columns, selection.picks(), suggested.columns, `Default for ${crm} ${tableLabel}`);
    session.loadRows({
      source: { kind: connection.kind, connectionId: connection.id, object: job.object, headers },
      name: `${crm} ${tableLabel}`,
      store,
      columns: premapped.columns,
      identifier: premapped.identifier ?? suggested.identifier,
      onImportStarted: (templateId) => {
        // The saved table is part of the integration: only an admin or the key contact changes it (and the change
        // is in its history). Anyone else's different selection is used for this import only, and said so.
        if (!canManage()) {
          const saved = selection.config();
          const same = saved && JSON.stringify(saved.attributes) === JSON.stringify(job.attributes) && JSON.stringify(saved.filters) === JSON.stringify(job.filters);
          if (!same) setConfigWarning('This selection is used for this import only: an admin or the key contact can save it as the table’s attributes.');
          return;
        }
        connectionsApi
          .saveConfig(connection.id, job.object, { attributes: job.attributes, filters: job.filters, templateId })
          .then(() => selection.refetchConfigs())
          .catch((e: unknown) => setConfigWarning(`This selection could not be saved for next time (${e instanceof Error ? e.message : String(e)}); the import goes on.`));
      },
    });
  }

  /**
   * A new sign-in that brings the user back here: the selection as it is on the page and the records pulled so far
   * are kept for the round trip, and the return lands on this import instead of Integrated systems.
   */
  async function reconnect() {
    const name = objectName();
    if (name) {
      const unfinished = pull.unfinished();
      keepPausedImport({
        connectionId: connection.id,
        object: name,
        attributes: selected(),
        filters: filters.typed(),
        pulled: unfinished && unfinished.key === selectionKey() ? { selectionKey: unfinished.key, headers: unfinished.headers, ...unfinished.pulled } : null,
      });
    }
    rememberReturn(connection.id, `/import?${new URLSearchParams(name ? { connection: connection.id, object: name } : { connection: connection.id })}`);
    await startReconnect(connection);
  }

  // A table list or field list the CRM refused for the login turns the connection's badges too, as a pull does.
  createEffect(() => {
    for (const error of [selection.objects.error, selection.fields.error]) if (error && crmProblem(error, crm).reconnect) onLoginRefused();
  });

  // Back from signing in again: once the selection is on the page, the pull goes on from the records it kept.
  let resumed = false;
  createEffect(() => {
    const back = selection.restored();
    if (resumed || !back?.pulled || !resourceValue(selection.fields)) return;
    resumed = true;
    const r = request();
    // A table whose fields changed meanwhile gives other columns: its rows are not continued, the user starts again.
    if (!r || r.key !== back.pulled.selectionKey || JSON.stringify(r.columns.map((c) => c.header)) !== JSON.stringify(back.pulled.headers)) return;
    void pull.resume(r, { rows: back.pulled.rows, cursor: back.pulled.cursor, total: back.pulled.total });
  });

  // "Import again": once the saved selection is in place, pull it without another click.
  if (options.autoRun && !paused) {
    let started = false;
    createEffect(() => {
      if (started || !selection.config() || !resourceValue(selection.fields) || selected().length === 0) return;
      started = true;
      void upload();
    });
  }

  return {
    connection,
    crm,
    objects: selection.objects,
    refetchObjects: selection.refetchObjects,
    refetchFields: selection.refetchFields,
    tables: selection.tables,
    objectName,
    object: selection.object,
    chooseObject,
    config: selection.config,
    configs: selection.configs,
    fields: selection.fields,
    picks: selection.picks,
    defaults: selection.defaults,
    selected,
    setSelected: selection.setSelected,
    missing: selection.missing,
    resetToDefaults: () => selection.setSelected(selection.defaults()),
    filters: filters.filters,
    setFilters: filters.setFilters,
    addFilter: filters.add,
    readyFilters: filters.readyFilters,
    incompleteFilters: filters.incompleteFilters,
    filterProblems: filters.problems,
    filtersBlocked,
    columns,
    selectionKey,
    preview: preview.preview,
    loadPreview,
    cancelPreview: preview.reset,
    previewWaited: preview.waited,
    pull: pull.pull,
    pullWaited: pull.waited,
    busy: pull.busy,
    upload,
    cancel: pull.cancel,
    reconnect,
    /** The paused import this page came back to after a new sign-in, if any. */
    restored: selection.restored,
    configWarning,
  };
}

export type CrmImport = ReturnType<typeof createCrmImport>;
