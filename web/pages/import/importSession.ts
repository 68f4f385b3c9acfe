import type { z } from 'zod';
import { batch, createMemo, createResource, createSignal, onCleanup } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { CsvHeader, CsvSummary } from '../../../shared/csv/index.ts';
import { BUILT_IN_FIELDS } from '../../../shared/fields/builtInFields.ts';
import { headerSignature } from '../../../shared/mapping/headerSignature.ts';
import type { Field, FieldType } from '../../../shared/schema/fields.ts';
import { type CrmSource, type ImportSummary } from '../../../shared/schema/imports.ts';
import { ImportMapping, type MappingTemplate, type OnMatch } from '../../../shared/schema/mapping.ts';
import { ApiError } from '../../api/apiError.ts';
import { isRetryable } from '../../api/retryPolicy.ts';
import { api } from '../../api/client.ts';
import { applyTemplate } from '../../import/applyTemplate.ts';
import { clearResumeRecord, fileSignature, loadResumeRecord, type ResumeRecord, saveResumeRecord } from '../../import/resumeRecord.ts';
import { saveBlocker } from '../../import/saveBlockers.ts';
import { type SendProgress, sendBatches } from '../../import/sendBatches.ts';
import type { GridProblems } from '../../grid/MappingGrid.tsx';
import type { RowStore } from '../../rows/rowStore.ts';
import { parseFile, type ParseHandle } from '../../upload/parseFile.ts';
import type { ParseFailure, ParseOptions, ParseProgress } from '../../upload/parseMessages.ts';
import { DEFAULT_BATCH_ROWS } from '../../../shared/schema/imports.ts';
import type { AudienceChoice } from './SaveOptions.tsx';
import { preferredCountry, rememberCountry } from './countries.ts';
import { suggestColumns, type ColumnState } from './suggestColumns.ts';

export type SavePhase =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'sending'; importId: string; progress: SendProgress | null; retrying: string | null }
  /** Retries ran out on a network/server problem: nothing is lost, the import continues from the Worker's nextSeq. */
  | { kind: 'paused'; importId: string; progress: SendProgress | null; error: ApiError }
  | { kind: 'failed'; error: unknown };

/**
 * Rows pulled from a CRM (web/pages/crm), handed to the session to go through the same grid, mapping, consent and
 * save path as a file's.
 */
export interface CrmRows {
  source: z.infer<typeof CrmSource>;
  /** "Salesforce Contacts": the default audience and template name. */
  name: string;
  store: RowStore;
  /** The pre-mapping (defaults shown as suggestions) and the proposed identifier, by header. */
  columns: ColumnState[];
  identifier: string | null;
  /** Told once the import has started, with the id of the template its mapping was saved as (null if that failed). */
  onImportStarted?: (templateId: string | null) => void;
}

export interface TemplateApplied {
  template: MappingTemplate;
  previous: { columns: ColumnState[]; identifier: string | null };
}

/** Everything the import page knows and does, as signals; the components only render it. */
export function createImportSession(options: { onFinished: (importId: string) => void }) {
  const [file, setFile] = createSignal<File | null>(null);
  const [crm, setCrm] = createSignal<CrmRows | null>(null);
  const [header, setHeader] = createSignal<CsvHeader | null>(null);
  const [store, setStore] = createSignal<RowStore | null>(null);
  const [rowCount, setRowCount] = createSignal(0);
  const [progress, setProgress] = createSignal<ParseProgress | null>(null);
  const [summary, setSummary] = createSignal<CsvSummary | null>(null);
  const [failure, setFailure] = createSignal<ParseFailure | null>(null);
  const [encodingFallback, setEncodingFallback] = createSignal(false);
  const [parseOptions, setParseOptions] = createSignal<ParseOptions>({});
  const [parsing, setParsing] = createSignal(false);

  const [columns, setColumns] = createStore<ColumnState[]>([]);
  const [identifier, setIdentifier] = createSignal<string | null>(null);
  const [templateApplied, setTemplateApplied] = createSignal<TemplateApplied | null>(null);

  const [fields, { mutate: setFields }] = createResource(() => api.listFields().catch(() => [...BUILT_IN_FIELDS]), {
    initialValue: [...BUILT_IN_FIELDS],
  });
  const [audiences, { refetch: refetchAudiences }] = createResource(() => api.listAudiences());

  // "Import more contacts" on an audience's page lands here with ?audience=<id>: that audience is preselected.
  const preselected = new URLSearchParams(window.location.search).get('audience');
  const [audience, setAudience] = createSignal<AudienceChoice>(
    preselected ? { mode: 'existing', name: '', id: preselected } : { mode: 'new', name: '', id: '' },
  );
  const [onMatch, setOnMatch] = createSignal<OnMatch>('update');
  const [defaultCountry, setDefaultCountry] = createSignal(preferredCountry());
  const [consent, setConsent] = createSignal(false);
  const [phase, setPhase] = createSignal<SavePhase>({ kind: 'idle' });
  const [templateWarning, setTemplateWarning] = createSignal<string | null>(null);
  const [problems, setProblems] = createSignal<GridProblems | null>(null);

  const [pending, setPending] = createSignal<ResumeRecord | null>(loadResumeRecord());
  /** The import this page started or resumed: a pending record of it is not news to the user. */
  const [ownImport, setOwnImport] = createSignal<string | null>(null);
  /** The open import this very file belongs to, once the file is recognised: Save becomes Resume. */
  const [resumable, setResumable] = createSignal<ImportSummary | null>(null);

  /** The audience name we proposed from the file name: replaced with the next file's, unlike a name the user typed. */
  let autoName = '';
  let handle: ParseHandle | null = null;
  let unsubscribe: (() => void) | null = null;
  let abort: AbortController | null = null;
  onCleanup(() => {
    handle?.cancel();
    unsubscribe?.();
    abort?.abort();
  });

  const fieldByKey = createMemo(() => new Map((fields() ?? []).map((f) => [f.key, f])));
  const busy = () => ['starting', 'sending'].includes(phase().kind);
  /** An import is under way (maybe paused): its options are fixed on the server, so the form stops offering them. */
  const locked = () => busy() || phase().kind === 'paused';

  function resetMapping() {
    setColumns(reconcile([]));
    setIdentifier(null);
    setTemplateApplied(null);
    setResumable(null);
  }

  /** Suggestions at once (in the same update as the store, so the grid never sees a column without its state)… */
  function suggestMapping(h: CsvHeader, first: RowStore) {
    const initial = suggestColumns(h.headers, fields() ?? [...BUILT_IN_FIELDS], first, defaultCountry());
    setColumns(reconcile(initial.columns));
    setIdentifier(initial.identifier);
  }

  /** …then what was saved for this layout, which wins: the open import this file belongs to, or a template. */
  async function applySavedMapping(h: CsvHeader) {
    const signature = headerSignature(h.headers);
    const record = pending();
    const current = file();
    if (record && current && record.fileSignature === fileSignature(current, signature)) {
      const open = await api.getImport(record.importId).catch(() => null);
      if (header() !== h) return;
      if (open && open.status === 'open') {
        showMapping(open.mapping.columns, open.mapping.identifier);
        setOnMatch(open.mapping.onMatch);
        setDefaultCountry(open.defaultCountry);
        setResumable(open);
        return;
      }
      forgetPending();
    }
    const template = await api.findTemplate(signature).catch(() => null);
    if (!template || header() !== h) return;
    const previous = { columns: columns.map((c) => ({ ...c })), identifier: identifier() };
    const applied = applyTemplate(previous.columns, template.mapping, (key) => fieldByKey().has(key));
    batch(() => {
      setColumns(reconcile(applied.columns.map((c, i) => (c === previous.columns[i] ? c : { ...c, suggested: false }))));
      setIdentifier(applied.identifier ?? previous.identifier);
      setOnMatch(template.mapping.onMatch);
      setTemplateApplied({ template, previous });
    });
  }

  function showMapping(saved: readonly { column: string; target: string | null; sensitive: boolean }[], id: string) {
    const byColumn = new Map(saved.map((c) => [c.column, c]));
    setColumns(
      reconcile(
        columns.map((c) => {
          const s = byColumn.get(c.header);
          return s ? { ...c, target: s.target, sensitive: s.sensitive, suggested: false } : { ...c, target: null, sensitive: false, suggested: false };
        }),
      ),
    );
    setIdentifier(id);
  }

  function undoTemplate() {
    const applied = templateApplied();
    if (!applied) return;
    batch(() => {
      setColumns(reconcile(applied.previous.columns));
      setIdentifier(applied.previous.identifier);
      setTemplateApplied(null);
    });
  }

  function startParse(f: File, opts: ParseOptions) {
    handle?.cancel();
    unsubscribe?.();
    unsubscribe = null;
    batch(() => {
      setFile(f);
      setCrm(null);
      setParseOptions(opts);
      setHeader(null);
      setStore(null);
      setRowCount(0);
      setSummary(null);
      setFailure(null);
      setEncodingFallback(false);
      setProgress({ bytesRead: 0, totalBytes: f.size, rows: 0 });
      setParsing(true);
      setPhase({ kind: 'idle' });
      setConsent(false);
      setProblems(null);
      resetMapping();
    });
    const current = parseFile(f, opts, {
      onStart: ({ store: s, header: h, encodingFallback: fallback }) => {
        if (handle !== current) return;
        unsubscribe?.();
        unsubscribe = s.subscribe((change) => {
          if (change.kind !== 'edit') setRowCount(change.rowCount);
        });
        batch(() => {
          suggestMapping(h, s);
          setStore(s);
          setRowCount(s.rowCount);
          setHeader(h);
          setEncodingFallback(fallback);
          const current = audience();
          if (!current.name || current.name === autoName) {
            autoName = f.name.replace(/\.(csv|tsv|txt)$/i, '');
            setAudience({ ...current, name: autoName });
          }
        });
        void applySavedMapping(h);
      },
      onProgress: (p) => handle === current && setProgress(p),
      onRestart: () => {
        if (handle !== current) return;
        batch(() => {
          setEncodingFallback(true);
          setStore(null);
          setHeader(null);
          resetMapping();
        });
      },
    });
    handle = current;
    void current.outcome.then((outcome) => {
      if (handle !== current) return;
      batch(() => {
        setParsing(false);
        if (outcome.status === 'done') {
          setSummary(outcome.summary);
          setRowCount(outcome.store.rowCount);
          setEncodingFallback(outcome.encodingFallback);
        } else if (outcome.status === 'failed') {
          setFailure(outcome.failure);
        }
      });
    });
  }

  const blocker = createMemo(() =>
    resumable()
      ? null
      : saveBlocker({
          hasRows: rowCount() > 0,
          parsing: parsing(),
          readFailed: failure() !== null,
          columns: columns.map((c) => ({ column: c.header, target: c.target })),
          identifier: identifier(),
          audienceChosen: audience().mode === 'new' ? audience().name.trim().length > 0 : audience().id !== '',
          consent: consent(),
          fieldLabel: (key) => fieldByKey().get(key)?.label ?? key,
        }),
  );

  function forgetPending() {
    clearResumeRecord();
    setPending(null);
  }

  async function send(importId: string, outOfOrderRetried = false): Promise<void> {
    const s = store();
    const h = header();
    if (!s || !h) return;
    abort?.abort();
    abort = new AbortController();
    const signal = abort.signal;
    let last: SendProgress | null = null;
    setOwnImport(importId);
    setPhase({ kind: 'sending', importId, progress: null, retrying: null });
    try {
      const finished = await sendBatches(importId, s, h.headers, {
        signal,
        onProgress: (p) => {
          last = p;
          setPhase({ kind: 'sending', importId, progress: p, retrying: null });
        },
        onRetry: (error, attempt, delay) =>
          setPhase({
            kind: 'sending',
            importId,
            progress: last,
            retrying: `${error.isNetwork ? 'Connection lost' : `The server answered ${error.status}`}; trying again in ${Math.ceil(delay / 1000)} s (attempt ${attempt})…`,
          }),
      });
      clearResumeRecord(importId);
      setPending(null);
      void refetchAudiences();
      options.onFinished(finished.id);
    } catch (error) {
      if (signal.aborted) return;
      // Another tab sent batches of this import meanwhile: ask the Worker where it stands now and go on from there.
      if (error instanceof ApiError && error.code === 'batch_out_of_order' && !outOfOrderRetried) return send(importId, true);
      if (error instanceof ApiError && isRetryable(error)) setPhase({ kind: 'paused', importId, progress: last, error });
      else setPhase({ kind: 'failed', error });
    }
  }

  function currentMapping(): ImportMapping {
    return ImportMapping.parse({
      columns: columns.map((c) => ({ column: c.header, target: c.target, sensitive: c.target !== null && c.sensitive })),
      identifier: identifier(),
      onMatch: onMatch(),
    });
  }

  async function save() {
    const f = file();
    const c = crm();
    const h = header();
    const s = store();
    const open = resumable();
    if ((!f && !c) || !h || !s || busy()) return;
    if (open) return send(open.id);
    if (blocker()) return;
    setPhase({ kind: 'starting' });
    setTemplateWarning(null);
    try {
      const mapping = currentMapping();
      const choice = audience();
      const started = await api.startImport({
        ...(choice.mode === 'new' ? { audienceName: choice.name.trim() } : { audienceId: choice.id }),
        source: c ? c.source : { kind: 'csv', fileName: (f as File).name.slice(0, 500), headers: h.headers, encoding: h.encoding, delimiter: h.delimiter },
        mapping,
        consent: { doubleOptIn: true },
        defaultCountry: defaultCountry(),
        batchSize: DEFAULT_BATCH_ROWS,
        expectedRows: s.rowCount,
      }, { context: { columnAt: (j) => mapping.columns[j]?.column } });
      const signature = headerSignature(h.headers);
      // A file is recognised again after a reload by its signature; CRM rows are simply pulled again.
      if (f) {
        const record: ResumeRecord = {
          importId: started.id,
          fileSignature: fileSignature(f, signature),
          fileName: f.name,
          audienceName: choice.mode === 'new' ? choice.name.trim() : (audiences()?.find((a) => a.id === choice.id)?.name ?? ''),
          totalRows: s.rowCount,
          startedAt: started.createdAt,
        };
        saveResumeRecord(record);
        setPending(record);
      }
      // The template is a convenience: failing to save it must not hold up the rows.
      const name = templateApplied()?.template.name ?? (c ? c.name : (f as File).name.replace(/\.(csv|tsv|txt)$/i, ''));
      const templateSaved = api.saveTemplate({ name, signature, mapping }).then(
        (t) => t.id,
        (e: unknown) => {
          setTemplateWarning(`The mapping could not be saved as a template (${e instanceof Error ? e.message : String(e)}); the import goes on.`);
          return null;
        },
      );
      if (c?.onImportStarted) void templateSaved.then(c.onImportStarted);
      await send(started.id);
    } catch (error) {
      setPhase({ kind: 'failed', error });
    }
  }

  function resume() {
    const p = phase();
    if (p.kind === 'paused') void send(p.importId);
  }

  // Closing the tab mid-import loses nothing (it can be resumed), but it surprises: the browser asks first.
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (busy()) event.preventDefault();
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  onCleanup(() => window.removeEventListener('beforeunload', onBeforeUnload));

  // Coming back online is the moment a paused import can go on: no need to make the user click.
  const onOnline = () => phase().kind === 'paused' && resume();
  window.addEventListener('online', onOnline);
  onCleanup(() => window.removeEventListener('online', onOnline));

  /** CRM rows replace whatever was loaded, like a new file would, and get the same saved-mapping treatment. */
  function loadRows(rows: CrmRows) {
    handle?.cancel();
    handle = null;
    unsubscribe?.();
    unsubscribe = null;
    const h: CsvHeader = {
      headers: rows.source.headers,
      rawHeaders: rows.source.headers,
      // Not a file: these only describe how a file was read, and nothing shows them for CRM rows.
      delimiter: ',',
      encoding: 'utf-8',
      encodingLabel: 'UTF-8',
      hadBom: false,
      lineEnding: 'lf',
    };
    batch(() => {
      setFile(null);
      setCrm(rows);
      setParseOptions({});
      setSummary(null);
      setFailure(null);
      setEncodingFallback(false);
      setProgress(null);
      setParsing(false);
      setPhase({ kind: 'idle' });
      setConsent(false);
      setProblems(null);
      resetMapping();
      setColumns(reconcile(rows.columns));
      setIdentifier(rows.identifier);
      setStore(rows.store);
      setRowCount(rows.store.rowCount);
      setHeader(h);
      if (!audience().name) setAudience({ ...audience(), name: rows.name });
    });
    void applySavedMapping(h);
  }

  async function createField(label: string, type: FieldType = 'text'): Promise<Field> {
    const field = await api.createField({ label, type });
    setFields((list) => [...(list ?? []), field]);
    return field;
  }

  return {
    file,
    /** The CRM rows on the page, when they did not come from a file. */
    crm,
    loadRows,
    header,
    store,
    rowCount,
    progress,
    summary,
    failure,
    encodingFallback,
    parseOptions,
    parsing,
    columns,
    setColumns: (next: ColumnState[]) => setColumns(reconcile(next)),
    identifier,
    setIdentifier,
    /** The grid speaks in column positions, the mapping in header names. */
    identifierIndex: () => {
      const id = identifier();
      const at = id === null ? -1 : (header()?.headers.indexOf(id) ?? -1);
      return at < 0 ? null : at;
    },
    setIdentifierIndex: (col: number | null) => setIdentifier(col === null ? null : (header()?.headers[col] ?? null)),
    problems,
    setProblems,
    templateApplied,
    undoTemplate,
    dismissTemplate: () => setTemplateApplied(null),
    fields,
    createField,
    audiences,
    audience,
    setAudience,
    onMatch,
    setOnMatch,
    defaultCountry,
    setDefaultCountry: (code: string) => {
      setDefaultCountry(code);
      rememberCountry(code);
    },
    consent,
    setConsent,
    blocker,
    phase,
    busy,
    locked,
    templateWarning,
    /** An unfinished import from an earlier visit, not the one on this page. */
    pendingElsewhere: () => {
      const p = pending();
      return p && p.importId !== ownImport() && !resumable() ? p : null;
    },
    pending,
    forgetPending,
    resumable,
    /** Leaves the open import as it is and sets this file up as a new import. */
    startOver: () => {
      forgetPending();
      setResumable(null);
    },
    loadFile: (f: File) => startParse(f, {}),
    reparse: (opts: ParseOptions) => {
      const f = file();
      if (f) startParse(f, { ...parseOptions(), ...opts });
    },
    save,
    resume,
  };
}

export type ImportSession = ReturnType<typeof createImportSession>;
