import { batch, createSignal } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { Field } from '../../../shared/schema/fields.ts';
import { ImportMapping, type MappingTemplate, type OnMatch } from '../../../shared/schema/mapping.ts';
import { applyTemplate } from '../../import/applyTemplate.ts';
import type { RowStore } from '../../rows/rowStore.ts';
import { templateChanges } from './saveSummary.ts';
import { type ColumnState, suggestColumns } from './suggestColumns.ts';

export interface TemplateApplied {
  template: MappingTemplate;
  previous: { columns: ColumnState[]; identifier: string | null; onMatch: OnMatch };
  /** Every setting the template changed, in words: the page lists them (none is changed unseen). */
  changes: string[];
}

type SavedColumn = { column: string; target: string | null; sensitive: boolean };

/**
 * The column mapping of the rows on the page: a target and a sensitive flag per column, the identifier (by header
 * name, as the API has it), and the template that decided them, undoably.
 */
export function createMappingState(options: {
  headers: () => readonly string[] | null;
  fieldKnown: (key: string) => boolean;
  fieldLabel: (key: string) => string;
}) {
  const [columns, setColumns] = createStore<ColumnState[]>([]);
  const [identifier, setIdentifier] = createSignal<string | null>(null);
  const [templateApplied, setTemplateApplied] = createSignal<TemplateApplied | null>(null);

  return {
    columns,
    identifier,
    setIdentifier,
    setColumns: (next: ColumnState[]) => setColumns(reconcile(next)),
    templateApplied,
    dismissTemplate: () => setTemplateApplied(null),

    /** The grid speaks in column positions, the mapping in header names. */
    identifierIndex: (): number | null => {
      const id = identifier();
      const at = id === null ? -1 : (options.headers()?.indexOf(id) ?? -1);
      return at < 0 ? null : at;
    },
    setIdentifierIndex: (col: number | null) => setIdentifier(col === null ? null : (options.headers()?.[col] ?? null)),

    reset() {
      setColumns(reconcile([]));
      setIdentifier(null);
      setTemplateApplied(null);
    },

    /** A mapping given whole (CRM rows arrive pre-mapped). */
    set(next: ColumnState[], id: string | null) {
      setColumns(reconcile(next));
      setIdentifier(id);
    },

    /** First suggestions for fresh rows, from their headers and first values. */
    suggest(headers: readonly string[], fields: readonly Field[], store: RowStore, defaultCountry: string) {
      const initial = suggestColumns(headers, fields, store, defaultCountry);
      setColumns(reconcile(initial.columns));
      setIdentifier(initial.identifier);
    },

    /**
     * A template saved for this layout wins over suggestions, visibly: the page lists what it changed (its
     * on-match rule included, which the caller applies) and offers to undo.
     */
    applyTemplate(template: MappingTemplate, onMatch: OnMatch) {
      const previous = { columns: columns.map((c) => ({ ...c })), identifier: identifier(), onMatch };
      const applied = applyTemplate(previous.columns, template.mapping, options.fieldKnown);
      const next = applied.columns.map((c, i) => (c === previous.columns[i] ? c : { ...c, suggested: false }));
      const nextIdentifier = applied.identifier ?? previous.identifier;
      const changes = templateChanges(previous, { columns: next, identifier: nextIdentifier, onMatch: template.mapping.onMatch }, options.fieldLabel);
      batch(() => {
        setColumns(reconcile(next));
        setIdentifier(nextIdentifier);
        setTemplateApplied({ template, previous, changes });
      });
    },

    undoTemplate() {
      const applied = templateApplied();
      if (!applied) return;
      batch(() => {
        setColumns(reconcile(applied.previous.columns));
        setIdentifier(applied.previous.identifier);
        setTemplateApplied(null);
      });
    },

    /** The mapping of an open import, exactly as it was started: no suggestion survives. */
    restore(saved: readonly SavedColumn[], id: string) {
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
    },

    toImportMapping(onMatch: OnMatch): ImportMapping {
      return ImportMapping.parse({
        columns: columns.map((c) => ({ column: c.header, target: c.target, sensitive: c.target !== null && c.sensitive })),
        identifier: identifier(),
        onMatch,
      });
    },
  };
}

export type MappingState = ReturnType<typeof createMappingState>;
