import { batch, createMemo, createResource, createSignal } from 'solid-js';
import { BUILT_IN_FIELDS } from '../../../shared/fields/builtInFields.ts';
import { lineOfRow } from '../../../shared/csv/rowLines.ts';
import { headerSignature } from '../../../shared/mapping/headerSignature.ts';
import type { Field, FieldType } from '../../../shared/schema/fields.ts';
import { api } from '../../api/client.ts';
import { fileSignature } from '../../import/resumeRecord.ts';
import type { RowStore } from '../../rows/rowStore.ts';
import { describeCountrySuggestion } from '../../../shared/normalize/suggestCountry.ts';
import type { PhoneCountryChoice } from '../../grid/PhoneCountry.tsx';
import { createValidationModels } from '../../validation/validationModel.ts';
import { countryOptions } from './countries.ts';
import { createFileSource } from './fileSource.ts';
import { createImportSave } from './importSave.ts';
import { createMappingState } from './mappingState.ts';
import { type CrmRows, fileBaseName, type RowSource, sourceHeaders } from './rowSource.ts';
import type { ColumnState } from './suggestColumns.ts';

export type { CrmRows } from './rowSource.ts';
export type { SavePhase } from './importSave.ts';
export type { TemplateApplied } from './mappingState.ts';

/**
 * Everything the import page knows and does, as signals; the components only render it. Composed of the source
 * (a file read in the tab, or CRM rows: rowSource.ts, fileSource.ts), the mapping (mappingState.ts), the
 * validation model the grid renders and the save area sums up (web/validation), and the save (importSave.ts).
 */
export function createImportSession(options: { onFinished: (importId: string) => void }) {
  const [fields, { mutate: setFields }] = createResource(() => api.listFields().catch(() => [...BUILT_IN_FIELDS]), {
    initialValue: [...BUILT_IN_FIELDS],
  });
  const fieldByKey = createMemo(() => new Map((fields() ?? []).map((f) => [f.key, f])));

  // --- source ----------------------------------------------------------------------------------------------------
  const [crm, setCrm] = createSignal<CrmRows | null>(null);
  const fileSource = createFileSource({
    onRows: (file, header, store) => {
      const known = fields() ?? [...BUILT_IN_FIELDS];
      mapping.suggest(header.headers, known, store, save.defaultCountry());
      const phoneFields = new Set(known.filter((f) => f.type === 'phone').map((f) => f.key));
      const phoneColumns = mapping.columns.flatMap((c, i) => (c.target !== null && phoneFields.has(c.target) ? [i] : []));
      if (phoneColumns.length > 0) {
        save.suggestCountryFromData(
          (function* () {
            for (let r = 0; r < store.rowCount; r++) for (const c of phoneColumns) yield store.get(r, c) ?? '';
          })(),
        );
      }
      save.proposeAudienceName(fileBaseName(file), true);
      void applySavedMapping(header.headers);
    },
    onReset: () => resetForNewRows(),
    onRestart: () => {
      mapping.reset();
      save.setResumable(null);
    },
  });
  const source = createMemo((): RowSource | null => {
    const rows = crm();
    if (rows) return { kind: 'crm', rows };
    const file = fileSource.file();
    const header = fileSource.header();
    const store = fileSource.store();
    return file && header && store ? { kind: 'file', file, header, store } : null;
  });
  const headers = () => {
    const s = source();
    return s ? sourceHeaders(s) : null;
  };
  const store = (): RowStore | null => crm()?.store ?? fileSource.store();
  const rowCount = () => crm()?.store.rowCount ?? fileSource.rowCount();

  // --- mapping, validation, save ---------------------------------------------------------------------------------
  const fieldLabel = (key: string) => fieldByKey().get(key)?.label ?? key;
  const mapping = createMappingState({ headers, fieldKnown: (key) => fieldByKey().has(key), fieldLabel });
  const save = createImportSave({
    source,
    mapping,
    rowCount,
    parsing: fileSource.parsing,
    readFailed: () => fileSource.failure() !== null,
    fieldLabel,
    onFinished: options.onFinished,
    rowLines: () => (crm() ? null : (fileSource.summary()?.rowLines ?? null)),
  });

  const validation = createValidationModels({
    store,
    columns: () => mapping.columns,
    identifier: mapping.identifierIndex,
    fields: () => fields() ?? [],
    defaultCountry: save.defaultCountry,
  });

  function resetForNewRows() {
    mapping.reset();
    save.resetForNewRows();
  }

  /** What was saved for this layout wins over suggestions: the open import these rows belong to, or a template. */
  async function applySavedMapping(forHeaders: readonly string[]) {
    const stillShown = () => headers() === forHeaders;
    const signature = headerSignature(forHeaders);
    const record = save.pending();
    const file = fileSource.file();
    if (record && file && !crm() && record.fileSignature === fileSignature(file, signature)) {
      const open = await api.getImport(record.importId).catch(() => null);
      if (!stillShown()) return;
      if (open && open.status === 'open') {
        batch(() => {
          mapping.restore(open.mapping.columns, open.mapping.identifier);
          save.setOnMatch(open.mapping.onMatch);
          save.restoreDefaultCountry(open.defaultCountry);
          save.setResumable(open);
        });
        return;
      }
      save.forgetPending();
    }
    const template = await api.findTemplate(signature).catch(() => null);
    if (!template || !stillShown()) return;
    batch(() => {
      mapping.applyTemplate(template, save.onMatch());
      save.setOnMatch(template.mapping.onMatch);
    });
  }

  /** CRM rows replace whatever was loaded, like a new file would, and get the same saved-mapping treatment. */
  function loadRows(rows: CrmRows) {
    batch(() => {
      fileSource.clear();
      resetForNewRows();
      mapping.set(rows.columns, rows.identifier);
      setCrm(rows);
      save.proposeAudienceName(rows.name, false);
    });
    void applySavedMapping(rows.source.headers);
  }

  const phoneCountries = countryOptions();

  async function createField(label: string, type: FieldType = 'text'): Promise<Field> {
    const field = await api.createField({ label, type });
    setFields((list) => [...(list ?? []), field]);
    return field;
  }

  return {
    /** Where the rows on the page come from: a file or a CRM table. */
    source,
    file: fileSource.file,
    /** The CRM rows on the page, when they did not come from a file. */
    crm,
    loadRows,
    /** How the file was read (encoding, delimiter); null for CRM rows. */
    header: () => (crm() ? null : fileSource.header()),
    headers,
    store,
    rowCount,
    progress: fileSource.progress,
    summary: fileSource.summary,
    failure: fileSource.failure,
    encodingFallback: fileSource.encodingFallback,
    parseOptions: fileSource.parseOptions,
    parsing: fileSource.parsing,
    loadFile: (f: File) =>
      batch(() => {
        setCrm(null);
        fileSource.read(f, {});
      }),
    reparse: fileSource.reread,

    columns: mapping.columns,
    setColumns: (next: ColumnState[]) => mapping.setColumns(next),
    identifier: mapping.identifier,
    setIdentifier: mapping.setIdentifier,
    identifierIndex: mapping.identifierIndex,
    setIdentifierIndex: mapping.setIdentifierIndex,
    templateApplied: mapping.templateApplied,
    /** Back to the mapping and options from before the template, its on-match rule included. */
    undoTemplate: () => {
      const applied = mapping.templateApplied();
      batch(() => {
        mapping.undoTemplate();
        if (applied) save.setOnMatch(applied.previous.onMatch);
      });
    },
    dismissTemplate: mapping.dismissTemplate,
    fields,
    createField,

    /** The predictions for the rows on the page (null without rows): the grid renders them. */
    validation,
    problems: () => validation()?.summary() ?? null,

    audiences: save.audiences,
    audience: save.audience,
    setAudience: save.setAudience,
    onMatch: save.onMatch,
    /** The country the rows' phone numbers chose (null when the user's choice stands): for the phone column's badge. */
    countrySuggestion: save.countrySuggestion,
    /** The phone columns' country control in the grid: the same default country as the save options. */
    phoneCountry: createMemo((): PhoneCountryChoice => {
      const suggestion = save.countrySuggestion();
      const countries = phoneCountries;
      const name = (code: string) => countries.find((c) => c.code === code)?.name ?? code;
      return {
        country: save.defaultCountry(),
        countries,
        reason: suggestion ? describeCountrySuggestion(suggestion, name) : null,
        onChange: save.setDefaultCountry,
      };
    }),
    /** Line of the file a 0-based row starts on (null for CRM rows): for the grid's row header. */
    rowLine: (row: number) => {
      const lines = crm() ? null : fileSource.summary()?.rowLines;
      return lines ? lineOfRow(lines, row + 1) : null;
    },
    setOnMatch: save.setOnMatch,
    defaultCountry: save.defaultCountry,
    setDefaultCountry: save.setDefaultCountry,
    consent: save.consent,
    setConsent: save.setConsent,
    /** Privacy mode: whether this import is hashed and sealed in the tab, and whether the user may choose. */
    privacy: save.privacy,
    setPrivacy: save.setPrivacy,
    sensitiveColumns: save.sensitiveColumns,
    blocker: save.blocker,
    phase: save.phase,
    busy: save.busy,
    locked: save.locked,
    templateWarning: save.templateWarning,
    /** An unfinished import from an earlier visit, not the one on this page. */
    pendingElsewhere: () => {
      const p = save.pending();
      return p && p.importId !== save.ownImport() && !save.resumable() ? p : null;
    },
    pending: save.pending,
    forgetPending: save.forgetPending,
    resumable: save.resumable,
    /** Leaves the open import as it is and sets these rows up as a new import. */
    startOver: () => {
      save.forgetPending();
      save.setResumable(null);
    },
    save: save.save,
    resume: save.resume,
    /** The mapping Save would send (the dry run checks exactly this). */
    importMapping: () => mapping.toImportMapping(save.onMatch()),
  };
}

export type ImportSession = ReturnType<typeof createImportSession>;
