import { batch, createEffect, createMemo, createResource, createSignal, on, onCleanup, type Resource, untrack } from 'solid-js';
import { defaultAttributePicks, defaultAttributes } from '../../../shared/crm/defaultAttributes.ts';
import type { CrmConnection, CrmFilter, CrmImportConfig } from '../../../shared/schema/crm.ts';
import type { ApiError } from '../../api/apiError.ts';
import { connectionsApi } from '../../api/connections.ts';
import type { RetryPolicy } from '../../api/retryPolicy.ts';
import type { ImportSession } from '../import/importSession.ts';
import { suggestColumns } from '../import/suggestColumns.ts';
import { splitKnown } from './attributeSelection.ts';
import { planColumns, premapColumns, recordRow } from './crmColumns.ts';
import { type CrmProblem, crmProblem } from './crmErrorMessage.ts';
import { crmName } from './crmNames.ts';
import { filterComplete } from './filterOperators.ts';
import { orderObjects } from './objectOrder.ts';
import { type PullProgress, RecordPull } from './recordPull.ts';

/**
 * A resource's value without its side effects: undefined after a failure (reading it would throw) and while it
 * loads (reading it would suspend the whole page); `keepStale` keeps the previous value during a refetch of the
 * same thing (a list read again), never wanted when the source changed (another table's fields).
 */
export function resourceValue<T>(r: Resource<T>, keepStale = false): T | undefined {
  if (r.error) return undefined;
  if (r.state === 'ready' || (keepStale && r.state === 'refreshing')) return r.latest;
  return undefined;
}

/** A filter row being edited: the same shape as a CrmFilter, possibly without a field yet. */
export type FilterDraft = CrmFilter & { key: number };

export type PreviewState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; headers: string[]; rows: string[][]; total: number; selectionKey: string }
  | { status: 'failed'; problem: CrmProblem };

export type PullState =
  | { status: 'idle' }
  | { status: 'pulling'; progress: PullProgress; retrying: string | null; retries: number }
  /** Retries ran out on a problem that may pass: the records so far are kept, Retry continues at the failed page. */
  | { status: 'stopped'; progress: PullProgress; problem: CrmProblem; retries: number }
  | { status: 'failed'; progress: PullProgress; problem: CrmProblem }
  | { status: 'done'; progress: PullProgress; retries: number };

/**
 * A page is retried this many times before the user is asked: the Worker's connector already retried the CRM
 * itself, so what reaches here is a CRM (or network) that stayed down for a while.
 */
export const PULL_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 1_000, maxDelayMs: 15_000 };

/**
 * Everything the CRM source of the import page knows and does, as signals: the table, the attributes and filters
 * (pre-filled from a saved import or the defaults), the preview, and the pull that hands its rows to the import
 * session, which then maps and saves them exactly like a file's.
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
  const [objects, { refetch: refetchObjects }] = createResource(() => connectionsApi.objects(connection.id));
  const [configs, { refetch: refetchConfigs }] = createResource(() => connectionsApi.configs(connection.id));
  const tables = createMemo(() => orderObjects(resourceValue(objects, true) ?? [], resourceValue(configs, true) ?? []));
  const [objectName, setObjectName] = createSignal<string | null>(options.initialObject);
  const object = createMemo(() => tables().find((o) => o.name === objectName()) ?? null);
  const config = createMemo<CrmImportConfig | null>(() => resourceValue(configs, true)?.find((c) => c.object === objectName()) ?? null);

  const [fields, { refetch: refetchFields }] = createResource(objectName, (name) => connectionsApi.fields(connection.id, name));
  const picks = createMemo(() => {
    const o = object();
    const f = resourceValue(fields);
    return o && f ? defaultAttributePicks(connection.kind, o, f) : [];
  });
  const defaults = createMemo(() => defaultAttributes(picks()));

  const [selected, setSelected] = createSignal<string[]>([]);
  const [filters, setFilters] = createSignal<FilterDraft[]>([]);
  /** Attributes of the saved import the table does not have any more: left out, and said so. */
  const [missing, setMissing] = createSignal<string[]>([]);
  let filterKeys = 0;
  const draft = (f: CrmFilter): FilterDraft => ({ ...f, key: ++filterKeys });

  // Each table starts from its saved import when there is one, else from the defaults, once its fields are in. Only
  // once per table: the saved configs are read again after an import starts, and must not undo the user's choices.
  let initialized: string | null = null;
  createEffect(
    on([objectName, () => resourceValue(fields), () => (configs.state === 'ready' || configs.state === 'refreshing' || configs.error ? (resourceValue(configs, true) ?? []) : undefined)], ([name, f, c]) => {
      if (!name || !f || c === undefined || initialized === name) return;
      initialized = name;
      const saved = untrack(config);
      batch(() => {
        if (saved) {
          const { known, missing: lost } = splitKnown(saved.attributes, f);
          setSelected(known);
          setMissing(lost);
          setFilters(saved.filters.map(draft));
        } else {
          setSelected(defaults());
          setMissing([]);
          setFilters([]);
        }
        setPreview({ status: 'idle' });
      });
    }),
  );

  const readyFilters = createMemo<CrmFilter[]>(() => {
    const byName = new Map((resourceValue(fields) ?? []).map((f) => [f.name, f]));
    return filters()
      .filter((f) => filterComplete(f, byName.get(f.field)))
      .map(({ field, operator, value }) => ({ field, operator, value: value.trim() }));
  });
  const incompleteFilters = () => filters().length - readyFilters().length;
  const selectionKey = createMemo(() => JSON.stringify([objectName(), selected(), readyFilters()]));
  const columns = createMemo(() => planColumns(selected(), resourceValue(fields) ?? [], picks()));

  const [preview, setPreview] = createSignal<PreviewState>({ status: 'idle' });
  const [pull, setPull] = createSignal<PullState>({ status: 'idle' });
  const [configWarning, setConfigWarning] = createSignal<string | null>(null);

  let running: { pull: RecordPull; object: string; attributes: string[]; filters: CrmFilter[]; key: string; abort: AbortController } | null = null;
  onCleanup(() => running?.abort.abort());

  const busy = () => pull().status === 'pulling';

  function chooseObject(name: string) {
    if (busy()) return;
    batch(() => {
      setObjectName(name);
      setPull({ status: 'idle' });
      setPreview({ status: 'idle' });
    });
  }

  async function loadPreview() {
    const name = objectName();
    if (!name || selected().length === 0) return;
    const key = selectionKey();
    const heads = columns();
    setPreview({ status: 'loading' });
    try {
      const answer = await connectionsApi.preview(connection.id, name, { attributes: selected(), filters: readyFilters() });
      if (selectionKey() !== key) return;
      setPreview({ status: 'ready', headers: heads.map((c) => c.header), rows: answer.records.map((r) => recordRow(r, heads)), total: answer.total, selectionKey: key });
    } catch (error) {
      if (selectionKey() === key) setPreview({ status: 'failed', problem: crmProblem(error, crm) });
    }
  }

  /** Starts pulling the current selection, or continues the one that stopped (same pages, same cursor). */
  async function upload() {
    const name = objectName();
    if (!name || selected().length === 0 || busy()) return;
    const current = pull();
    // Retry continues the stopped pull only while it still reads what the page shows; a changed selection starts over.
    const continuing = running !== null && current.status === 'stopped' && running.key === selectionKey();
    let job = running;
    if (!continuing || !job) {
      running?.abort.abort();
      const p = preview();
      const total = p.status === 'ready' && p.selectionKey === selectionKey() ? p.total : null;
      job = { pull: new RecordPull(columns(), total), object: name, attributes: selected(), filters: readyFilters(), key: selectionKey(), abort: new AbortController() };
      running = job;
    }
    let retries = continuing && current.status === 'stopped' ? current.retries : 0;
    setPull({ status: 'pulling', progress: job.pull.progress, retrying: null, retries });
    try {
      await job.pull.run(
        (cursor, signal) =>
          connectionsApi.pull(
            connection.id,
            job.object,
            { attributes: job.attributes, filters: job.filters, cursor },
            {
              signal,
              retry: options.retry ?? PULL_RETRY,
              onRetry: (error: ApiError, attempt: number, delay: number) => {
                retries++;
                const said = crmProblem(error, crm).message;
                const retrying = `${said} We’ll retry in ${Math.max(1, Math.round(delay / 1000))} s (attempt ${attempt} of ${(options.retry ?? PULL_RETRY).retries})…`;
                setPull({ status: 'pulling', progress: job.pull.progress, retrying, retries });
              },
            },
          ),
        { signal: job.abort.signal, onProgress: (progress) => setPull({ status: 'pulling', progress, retrying: null, retries }) },
      );
    } catch (error) {
      if (job.abort.signal.aborted || running !== job) return;
      const problem = crmProblem(error, crm);
      setPull(problem.retryable ? { status: 'stopped', progress: job.pull.progress, problem, retries } : { status: 'failed', progress: job.pull.progress, problem });
      return;
    }
    if (running !== job) return;
    setPull({ status: 'done', progress: job.pull.progress, retries });
    handOver(job);
  }

  /** The pulled rows become the import page's rows, pre-mapped from the defaults, saved with the import's config. */
  function handOver(job: NonNullable<typeof running>) {
    const store = job.pull.store;
    const headers = store.headers as string[];
    const platformFields = session.fields() ?? [];
    const suggested = suggestColumns(headers, platformFields, store, session.defaultCountry());
    const tableLabel = object()?.label ?? job.object;
    const premapped = premapColumns(job.pull.columns, picks(), suggested.columns, `Default for ${crm} ${tableLabel}`);
    session.loadRows({
      source: { kind: connection.kind, connectionId: connection.id, object: job.object, headers },
      name: `${crm} ${tableLabel}`,
      store,
      columns: premapped.columns,
      identifier: premapped.identifier ?? suggested.identifier,
      onImportStarted: (templateId) => {
        connectionsApi
          .saveConfig(connection.id, job.object, { attributes: job.attributes, filters: job.filters, templateId })
          .then(() => refetchConfigs())
          .catch((e: unknown) => setConfigWarning(`This selection could not be saved for next time (${e instanceof Error ? e.message : String(e)}); the import goes on.`));
      },
    });
  }

  function cancel() {
    running?.abort.abort();
    running = null;
    setPull({ status: 'idle' });
  }

  // "Import again": once the saved selection is in place, pull it without another click.
  if (options.autoRun) {
    let started = false;
    createEffect(() => {
      if (started || !config() || !resourceValue(fields) || selected().length === 0) return;
      started = true;
      void upload();
    });
  }

  return {
    connection,
    crm,
    objects,
    refetchObjects: () => void refetchObjects(),
    refetchFields: () => void refetchFields(),
    tables,
    objectName,
    object,
    chooseObject,
    config,
    configs,
    fields,
    picks,
    defaults,
    selected,
    setSelected,
    missing,
    resetToDefaults: () => setSelected(defaults()),
    filters,
    setFilters,
    addFilter: () => setFilters((list) => [...list, draft({ field: '', operator: 'equals', value: '' })]),
    readyFilters,
    incompleteFilters,
    columns,
    selectionKey,
    preview,
    loadPreview,
    pull,
    busy,
    upload,
    cancel,
    configWarning,
  };
}

export type CrmImport = ReturnType<typeof createCrmImport>;
