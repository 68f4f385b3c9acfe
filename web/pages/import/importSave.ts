import { createMemo, createResource, createSignal, onCleanup } from 'solid-js';
import { headerSignature } from '../../../shared/mapping/headerSignature.ts';
import { MAX_BATCH_ROWS, type ImportSummary, type StartImportBody } from '../../../shared/schema/imports.ts';
import { maxBatchRows } from '../../../shared/schema/limits.ts';
import type { OnMatch } from '../../../shared/schema/mapping.ts';
import { ApiError } from '../../api/apiError.ts';
import { api } from '../../api/client.ts';
import { isRetryable } from '../../api/retryPolicy.ts';
import { clearResumeRecord, fileSignature, loadResumeRecord, type ResumeRecord, saveResumeRecord } from '../../import/resumeRecord.ts';
import { saveBlocker } from '../../import/saveBlockers.ts';
import { type SendProgress, sendBatches } from '../../import/sendBatches.ts';
import { guardLeaving } from '../navigation.tsx';
import { preferredCountry, rememberCountry } from './countries.ts';
import { suggestDefaultCountry, type CountrySuggestion } from '../../../shared/normalize/suggestCountry.ts';
import { lineOfRow, type RowLines } from '../../../shared/csv/rowLines.ts';
import type { RowSource as BatchRowSource } from '../../import/batchRows.ts';
import type { RowStore } from '../../rows/rowStore.ts';
import type { MappingState } from './mappingState.ts';
import { importSourceOf, type RowSource, sourceHeaders, sourceName, sourceStore } from './rowSource.ts';
import type { AudienceChoice } from './SaveOptions.tsx';
import { privacyBlocker, privacyChoice, privacyOn } from '../../import/privacyChoice.ts';
import { workspaceSettingsApi } from '../../api/workspaceSettings.ts';
import { request } from '../../api/request.ts';
import { WorkspaceSealingKey } from '../../../shared/schema/privacy.ts';
import type { PrivacySending } from '../../import/sendBatches.ts';

export type SavePhase =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'sending'; importId: string; progress: SendProgress | null; retrying: string | null }
  /** Retries ran out on a network/server problem: nothing is lost, the import continues from the Worker's nextSeq. */
  | { kind: 'paused'; importId: string; progress: SendProgress | null; error: ApiError }
  | { kind: 'failed'; error: unknown };

/**
 * Saving the rows on the page: where to (audience, on match, default country), the consent, what still blocks the
 * save, starting the import and sending its batches, pausing and resuming — in this tab, or after a reload from the
 * resume record a file import leaves behind.
 */
export function createImportSave(options: {
  source: () => RowSource | null;
  mapping: MappingState;
  rowCount: () => number;
  parsing: () => boolean;
  readFailed: () => boolean;
  fieldLabel: (key: string) => string;
  onFinished: (importId: string) => void;
  /** Where each row of a file starts (the reader's RowLines), so batches carry `line` and reports can name it. */
  rowLines?: () => RowLines | null;
}) {
  const { mapping } = options;
  const [audiences, { refetch: refetchAudiences }] = createResource(() => api.listAudiences());
  // "Import more contacts" on an audience's page lands here with ?audience=<id>: that audience is preselected.
  const preselected = new URLSearchParams(window.location.search).get('audience');
  const [audience, setAudience] = createSignal<AudienceChoice>(
    preselected ? { mode: 'existing', name: '', id: preselected } : { mode: 'new', name: '', id: '' },
  );
  const [onMatch, setOnMatch] = createSignal<OnMatch>('update');
  const [defaultCountry, setDefaultCountry] = createSignal(preferredCountry());
  /** Set when the rows' phone numbers chose the default country (suggestDefaultCountry), with the one it replaced. */
  const [countrySuggestion, setCountrySuggestion] = createSignal<(CountrySuggestion & { previous: string }) | null>(null);
  /** The user picked a country for these rows: the data no longer overrides it. */
  let countryChosen = false;
  const [consent, setConsent] = createSignal(false);
  /** Privacy mode as the user ticked it; null until they touch it (the default then applies). */
  const [privacyChosen, setPrivacyChosen] = createSignal<boolean | null>(null);
  // Privacy mode needs the workspace's sealing key: a server or workspace without one does not offer it.
  const [sealingKey] = createResource(() => request(WorkspaceSealingKey, '/api/privacy/key', { idempotent: true }).catch(() => null));
  // The workspace's default for new audiences pre-selects the choice; unreadable, the choice starts off (and the
  // Worker still refuses a plain import where privacy is required).
  const [workspaceSettings] = createResource(() => workspaceSettingsApi.get().catch(() => null));
  const privacy = createMemo(() =>
    privacyChoice({
      sourceKind: options.source()?.kind ?? null,
      audience: audience(),
      audiences: (audiences() ?? []).map((a) => ({ id: a.id, name: a.name, memberCount: a.memberCount, privacyMode: a.privacyMode })),
      chosen: privacyChosen(),
      workspaceDefault: workspaceSettings()?.privacyDefault ?? 'off',
      available: sealingKey() != null,
    }),
  );
  /** The imported columns marked sensitive, by header: what privacy mode seals in this tab. */
  const sensitiveColumns = createMemo(() => mapping.columns.filter((c) => c.target !== null && c.sensitive).map((c) => c.header));
  const [phase, setPhase] = createSignal<SavePhase>({ kind: 'idle' });
  const [templateWarning, setTemplateWarning] = createSignal<string | null>(null);

  const [pending, setPending] = createSignal<ResumeRecord | null>(loadResumeRecord());
  /** The import this page started or resumed: a pending record of it is not news to the user. */
  const [ownImport, setOwnImport] = createSignal<string | null>(null);
  /** The open import these very rows belong to, once the file is recognised: Save becomes Resume. */
  const [resumable, setResumable] = createSignal<ImportSummary | null>(null);

  /** The audience name we proposed from the source: replaced with the next source's, unlike a name the user typed. */
  let autoName = '';
  let abort: AbortController | null = null;
  onCleanup(() => abort?.abort());

  const busy = () => ['starting', 'sending'].includes(phase().kind);
  /** An import is under way (maybe paused): its options are fixed on the server, so the form stops offering them. */
  const locked = () => busy() || phase().kind === 'paused';

  const blocker = createMemo(() =>
    resumable()
      ? null
      : saveBlocker({
          hasRows: options.rowCount() > 0,
          parsing: options.parsing(),
          readFailed: options.readFailed(),
          columns: mapping.columns.map((c) => ({ column: c.header, target: c.target })),
          identifier: mapping.identifier(),
          audienceChosen: audience().mode === 'new' ? audience().name.trim().length > 0 : audience().id !== '',
          consent: consent(),
          fieldLabel: options.fieldLabel,
        }) ?? privacyBlocker(privacy()),
  );

  function forgetPending() {
    clearResumeRecord();
    setPending(null);
  }

  /** The rows with the line of the file each starts on, so the report can say "row 2 (line 3 of the file)". */
  function withLines(store: RowStore): BatchRowSource {
    const lines = options.rowLines?.();
    if (!lines) return store;
    return { rowCount: store.rowCount, get: (r, c) => store.get(r, c), fieldCount: (r) => store.fieldCount(r), line: (r) => lineOfRow(lines, r + 1), packedRows: (f, e) => store.packedRows(f, e) };
  }

  /** What a privacy-mode import seals with: the workspace's key and the fields its values are judged by. */
  async function loadSealing(signal: AbortSignal): Promise<PrivacySending> {
    const [key, fields] = await Promise.all([request(WorkspaceSealingKey, '/api/privacy/key', { idempotent: true, signal }), api.listFields({ signal })]);
    return { key, fields };
  }

  async function send(importId: string, outOfOrderRetried = false): Promise<void> {
    const source = options.source();
    if (!source) return;
    abort?.abort();
    abort = new AbortController();
    const signal = abort.signal;
    let last: SendProgress | null = null;
    setOwnImport(importId);
    setPhase({ kind: 'sending', importId, progress: null, retrying: null });
    try {
      const finished = await sendBatches(importId, withLines(sourceStore(source)), sourceHeaders(source), {
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
      }, () => loadSealing(signal));
      clearResumeRecord(importId);
      setPending(null);
      void refetchAudiences();
      // Done: moving on to the report is not leaving a save half-way (the leave guard asks only while busy).
      setPhase({ kind: 'idle' });
      options.onFinished(finished.id);
    } catch (error) {
      if (signal.aborted) return;
      // Another tab sent batches of this import meanwhile: ask the Worker where it stands now and go on from there.
      if (error instanceof ApiError && error.code === 'batch_out_of_order' && !outOfOrderRetried) return send(importId, true);
      if (error instanceof ApiError && isRetryable(error)) setPhase({ kind: 'paused', importId, progress: last, error });
      else setPhase({ kind: 'failed', error });
    }
  }

  async function save() {
    const source = options.source();
    const open = resumable();
    if (!source || busy()) return;
    if (open) return send(open.id);
    if (blocker()) return;
    setPhase({ kind: 'starting' });
    setTemplateWarning(null);
    try {
      const importMapping = mapping.toImportMapping(onMatch());
      const choice = audience();
      const rowCount = sourceStore(source).rowCount;
      const privateImport = privacyOn(privacy());
      const body: StartImportBody = {
          ...(choice.mode === 'new' ? { audienceName: choice.name.trim() } : { audienceId: choice.id }),
          source: importSourceOf(source),
          mapping: importMapping,
          consent: { doubleOptIn: true },
          defaultCountry: defaultCountry(),
          // The most rows a batch may carry: the Worker's per-request work (auth, the import's state, bookkeeping)
          // spread over more rows — measured with the bench, 5,000-row batches cost the Worker and local D1 ~13–15 %
          // less CPU per row than 2,000-row ones. Wide or sensitive mappings send fewer, within what one request may cost.
          batchSize: maxBatchRows(importMapping.columns, MAX_BATCH_ROWS),
          expectedRows: rowCount,
          // A file says its mode; a CRM import leaves the audience's (and cannot go into a private one).
          ...(source.kind === 'file' ? { privacyMode: privateImport } : {}),
        };
      const started = await api.startImport(body, { context: { columnAt: (j) => importMapping.columns[j]?.column } });
      const signature = headerSignature(sourceHeaders(source));
      // A file is recognised again after a reload by its signature; CRM rows are simply pulled again.
      if (source.kind === 'file') {
        const record: ResumeRecord = {
          importId: started.id,
          fileSignature: fileSignature(source.file, signature),
          fileName: source.file.name,
          audienceName: choice.mode === 'new' ? choice.name.trim() : (audiences()?.find((a) => a.id === choice.id)?.name ?? ''),
          totalRows: rowCount,
          startedAt: started.createdAt,
        };
        saveResumeRecord(record);
        setPending(record);
      }
      // The template is a convenience: failing to save it must not hold up the rows.
      const name = mapping.templateApplied()?.template.name ?? sourceName(source);
      const templateSaved = api.saveTemplate({ name, signature, mapping: importMapping }).then(
        (t) => t.id,
        (e: unknown) => {
          setTemplateWarning(`The mapping could not be saved as a template (${e instanceof Error ? e.message : String(e)}); the import goes on.`);
          return null;
        },
      );
      const onImportStarted = source.kind === 'crm' ? source.rows.onImportStarted : undefined;
      if (onImportStarted) void templateSaved.then(onImportStarted);
      await send(started.id);
    } catch (error) {
      setPhase({ kind: 'failed', error });
    }
  }

  function resume() {
    const p = phase();
    if (p.kind === 'paused') void send(p.importId);
  }

  // Leaving mid-import loses nothing (it can be resumed), but it stops the import and surprises: ask first. The
  // browser asks on closing or reloading the tab (its own words); the app asks on its links and on Back.
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (!busy()) return;
    event.preventDefault();
    event.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  onCleanup(() => window.removeEventListener('beforeunload', onBeforeUnload));
  onCleanup(
    guardLeaving(() =>
      busy()
        ? 'Rows are still being saved. If you leave this page, the import stops where it is: the rows stored so far stay, and ' +
          `${options.source()?.kind === 'crm' ? 'importing the same records again' : 'choosing the same file again'} later resumes it. Leave anyway?`
        : null,
    ),
  );

  // Coming back online is the moment a paused import can go on: no need to make the user click.
  const onOnline = () => phase().kind === 'paused' && resume();
  window.addEventListener('online', onOnline);
  onCleanup(() => window.removeEventListener('online', onOnline));

  return {
    audiences,
    audience,
    setAudience,
    /** Proposes the source's name for a new audience, unless the user typed one. */
    proposeAudienceName(name: string, replaceProposed: boolean) {
      const current = audience();
      if (current.name && !(replaceProposed && current.name === autoName)) return;
      if (replaceProposed) autoName = name;
      setAudience({ ...current, name });
    },
    onMatch,
    setOnMatch,
    defaultCountry,
    setDefaultCountry: (code: string) => {
      countryChosen = true;
      setCountrySuggestion(null);
      setDefaultCountry(code);
      rememberCountry(code);
    },
    countrySuggestion,
    /**
     * The phone numbers of new rows pick the default country unless the user chose one for them: a German list
     * opened in an English browser is read as German. Said beside the country select (countrySuggestion).
     */
    suggestCountryFromData(phoneValues: Iterable<string>) {
      setCountrySuggestion(null);
      if (countryChosen) return;
      const suggestion = suggestDefaultCountry(phoneValues, defaultCountry());
      if (!suggestion) return;
      setCountrySuggestion({ ...suggestion, previous: defaultCountry() });
      setDefaultCountry(suggestion.country);
    },
    /** Set from an open import: its country, without making it the user's preference. */
    restoreDefaultCountry: setDefaultCountry,
    consent,
    setConsent,
    privacy,
    setPrivacy: (on: boolean) => setPrivacyChosen(on),
    sensitiveColumns,
    blocker,
    phase,
    /** New rows on the page: nothing of the previous rows' save carries over. */
    resetForNewRows() {
      countryChosen = false;
      setCountrySuggestion(null);
      setPhase({ kind: 'idle' });
      setConsent(false);
      setPrivacyChosen(null);
      setResumable(null);
    },
    busy,
    locked,
    templateWarning,
    pending,
    forgetPending,
    ownImport,
    resumable,
    setResumable,
    save,
    resume,
  };
}

export type ImportSave = ReturnType<typeof createImportSave>;
