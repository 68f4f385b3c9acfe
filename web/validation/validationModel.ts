import { type Accessor, batch, createMemo, createSignal, onCleanup, untrack } from 'solid-js';
import type { Field } from '../../shared/schema/fields.ts';
import { type CellProblemCode, type ColumnProblems, type RaggedRows, raggedRows } from '../../shared/validation/index.ts';
import type { RowStore } from '../rows/rowStore.ts';
import { createColumnChecks } from './columnChecks.ts';
import { type CombinedProblems, combineProblems } from './problemRows.ts';

/** Problems of one column, for messages such as "Fix 12 invalid emails or they will be rejected". */
export interface ColumnProblemSummary {
  column: number;
  header: string;
  target: string | null;
  counts: Readonly<Record<CellProblemCode, number>>;
  /** Rows the Worker will reject because of this column. */
  errorCount: number;
}

export interface GridProblems {
  /** False while the file is still being read or columns are being checked: counts may still grow. */
  settled: boolean;
  /** Columns with at least one problem. */
  columns: ColumnProblemSummary[];
  raggedRows: number;
  /** Rows with any problem, warnings (duplicate identifiers) included: what the problems filter shows. */
  problemRows: number;
  /** Rows the Worker will reject as things stand. */
  rejectedRows: number;
}

/** What a column is mapped as, by position: the session's mapping, as the checks need it. */
export interface MappedColumn {
  header: string;
  target: string | null;
  sensitive: boolean;
}

/**
 * The import's predicted verdicts (shared/validation's rules, as the Worker will apply them) for one row store:
 * per column, per row, and summed up. The import session owns it; the grid renders it and the save area reads its
 * summary.
 */
export interface ValidationModel {
  readonly store: RowStore;
  /** True once every row is read: checks start then. */
  complete: Accessor<boolean>;
  /** Latest problems of a column (null: not checked, or not yet). */
  problems(col: number): ColumnProblems | null;
  /** Share of the column checked (0–1) while its check runs, null when it is not checked at all. */
  progress(col: number): number | null;
  /** Columns still being checked. */
  pending: Accessor<number>;
  ragged: Accessor<RaggedRows | null>;
  /** Every row with a problem, and how many will be rejected. */
  combined: Accessor<CombinedProblems>;
  summary: Accessor<GridProblems>;
  /** Whether the grid shows only the rows with problems: the grid's filter, and the save summary's "Show them". */
  onlyProblems: Accessor<boolean>;
  setOnlyProblems(on: boolean): void;
}

/**
 * Call inside a reactive owner (the session makes one per store): it subscribes to the store (rows read, inline
 * edits) until that owner is disposed.
 */
export function createValidationModel(options: {
  store: RowStore;
  columns: () => readonly MappedColumn[];
  identifier: () => number | null;
  fields: () => readonly Field[];
  /** ISO country for phone numbers without a prefix. */
  defaultCountry: () => string;
}): ValidationModel {
  const { store } = options;
  const columnCount = store.columnCount;
  const [rowCount, setRowCount] = createSignal(store.rowCount);
  const [complete, setComplete] = createSignal(store.complete);
  const [onlyProblems, setOnlyProblems] = createSignal(false);

  const fieldByKey = createMemo(() => new Map(options.fields().map((f) => [f.key, f])));
  const imported = createMemo(
    () => options.columns().flatMap((c, i) => (c.target !== null ? [i] : [])),
    [],
    { equals: (a, b) => a.length === b.length && a.every((c, i) => c === b[i]) },
  );

  const checks = createColumnChecks({
    store,
    ready: complete,
    input: (col) => {
      const state = options.columns()[col];
      const isIdentifier = options.identifier() === col;
      if (!state || (state.target === null && !isIdentifier)) return null;
      const field = state.target !== null ? fieldByKey().get(state.target) : undefined;
      return {
        // A field created a moment ago may not be in `fields` yet: checked as text until it is.
        type: field?.type ?? 'text',
        // As the import's plan will carry them (worker/imports/importPlan.ts): the Worker judges by the same values.
        allowed: field?.allowedValues ? { fieldLabel: field.label, values: field.allowedValues } : undefined,
        isIdentifier,
        sensitive: state.sensitive,
        defaultCountry: options.defaultCountry(),
        imported: imported(),
      };
    },
  });

  onCleanup(
    store.subscribe((change) => {
      if (change.kind === 'rows') setRowCount(change.rowCount);
      else if (change.kind === 'complete') {
        batch(() => {
          setRowCount(change.rowCount);
          setComplete(true);
        });
      } else checks.edited(change.row, change.col);
    }),
  );

  const ragged = createMemo(() =>
    complete() ? raggedRows({ rowCount: store.rowCount, fieldCount: (row) => store.fieldCount(row), headerCount: columnCount }) : null,
  );
  const combined = createMemo(() =>
    combineProblems(
      rowCount(),
      Array.from({ length: columnCount }, (_, c) => checks.problems(c)),
      ragged()?.rows ?? new Uint32Array(),
    ),
  );
  const summary = createMemo<GridProblems>(() => {
    const columns: ColumnProblemSummary[] = [];
    for (let c = 0; c < columnCount; c++) {
      const problems = checks.problems(c);
      if (!problems || problems.rows.length === 0) continue;
      const state = options.columns()[c];
      columns.push({ column: c, header: state?.header ?? '', target: state?.target ?? null, counts: problems.counts, errorCount: problems.errorCount });
    }
    const { rows, rejected } = combined();
    return { settled: complete() && checks.pending() === 0, columns, raggedRows: ragged()?.rows.length ?? 0, problemRows: rows.length, rejectedRows: rejected };
  });

  return {
    store,
    complete,
    problems: checks.problems,
    progress: (col) => {
      const state = options.columns()[col];
      if (state?.target == null && options.identifier() !== col) return null;
      return complete() ? checks.progress(col) : 0;
    },
    pending: checks.pending,
    ragged,
    combined,
    summary,
    onlyProblems,
    setOnlyProblems: (on) => setOnlyProblems(on),
  };
}

/** A model per store, made and disposed with it: what a page (or a test harness) hands the grid. */
export function createValidationModels(options: Omit<Parameters<typeof createValidationModel>[0], 'store'> & { store: () => RowStore | null }): Accessor<ValidationModel | null> {
  return createMemo(() => {
    const store = options.store();
    // Only the store decides when a model is replaced; the mapping is followed inside the model.
    return store ? untrack(() => createValidationModel({ ...options, store })) : null;
  });
}
