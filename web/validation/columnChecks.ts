import { type Accessor, batch, createComputed, createMemo, createSignal, on, onCleanup, type Setter, untrack } from 'solid-js';
import type { FieldType } from '../../shared/schema/fields.ts';
import type { PlannedAllowedValues } from '../../shared/schema/importPlan.ts';
import { type ColumnInput, columnProblems, columnProblemSteps, type ColumnProblems } from '../../shared/validation/index.ts';
import type { RowStore } from '../rows/rowStore.ts';
import { withRowRechecked } from './columnProblemsPatch.ts';

/** What a column is checked as; null when nothing is checked (a skipped column that is not the identifier). */
export interface CheckInput {
  type: FieldType;
  isIdentifier: boolean;
  sensitive: boolean;
  defaultCountry: string;
  /** The target field's allowed values (a CRM pick list), if any. */
  allowed?: PlannedAllowedValues | undefined;
  /** The imported columns, for "blank row" (only the identifier's check depends on it). */
  imported: readonly number[];
}

function sameInput(a: CheckInput | null, b: CheckInput | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.type === b.type &&
    a.isIdentifier === b.isIdentifier &&
    a.sensitive === b.sensitive &&
    a.defaultCountry === b.defaultCountry &&
    sameAllowed(a.allowed, b.allowed) &&
    (!a.isIdentifier || (a.imported.length === b.imported.length && a.imported.every((c, i) => c === b.imported[i])))
  );
}

function sameAllowed(a: PlannedAllowedValues | undefined, b: PlannedAllowedValues | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.fieldLabel === b.fieldLabel && a.values.length === b.values.length && a.values.every((v, i) => v.label === b.values[i]?.label && v.code === b.values[i]?.code);
}

export interface ColumnChecks {
  /** Latest problems of a column (null: not checked, or not yet). */
  problems(col: number): ColumnProblems | null;
  /** Share of the column checked so far (0–1) while a check runs, else null. */
  progress(col: number): number | null;
  /** Columns waiting for or in the middle of a check. */
  pending: Accessor<number>;
  /** Re-checks after an inline edit: the one cell, or the whole column when it is the identifier. */
  edited(row: number, col: number): void;
}

// Work per task: long enough to get through a million emails in a few seconds, short enough that scrolling
// stays smooth while a phone column (≈40k rows/s, libphonenumber) is checked for half a minute.
const TASK_MS = 12;
const SLICE_ROWS = 500;

interface Job {
  steps: Generator<number, ColumnProblems, void>;
  rowCount: number;
  /** Rows checked so far, as the generator last yielded. */
  checked: number;
}

/**
 * Checks columns with shared/validation in time slices on the tab's thread, round-robin over the columns waiting,
 * so a slow phone column never holds back the identifier's counts. A column is checked again when what it is
 * checked as changes; an inline edit re-checks one cell, or the identifier column whole (duplicates).
 */
export function createColumnChecks(options: {
  store: RowStore;
  ready: Accessor<boolean>;
  input: (col: number) => CheckInput | null;
}): ColumnChecks {
  const { store } = options;
  const results: [Accessor<ColumnProblems | null>, Setter<ColumnProblems | null>][] = [];
  const progress: [Accessor<number | null>, Setter<number | null>][] = [];
  const inputs: Accessor<CheckInput | null>[] = [];
  const jobs = new Map<number, Job>();
  const [pending, setPending] = createSignal(0);

  const columnInput = (col: number, input: CheckInput): ColumnInput => ({
    header: store.headers[col] ?? `Column ${col + 1}`,
    rowCount: store.rowCount,
    value: store.column(col),
    type: input.type,
    isIdentifier: input.isIdentifier,
    sensitive: input.sensitive,
    defaultCountry: input.defaultCountry,
    allowed: input.allowed,
    isBlankRow: input.isIdentifier ? (row) => input.imported.every((c) => (store.get(row, c) ?? '').trim() === '') : undefined,
  });

  const tick = () => {
    scheduled = false;
    const finished: [number, ColumnProblems][] = [];
    // Each waiting column gets an equal share of the task's time: a fast column finishes in its share instead of
    // advancing at the pace of the slowest.
    const cols = [...jobs.keys()];
    const share = TASK_MS / Math.max(1, cols.length);
    for (const col of cols) {
      const job = jobs.get(col) as Job;
      const started = performance.now();
      do {
        const step = job.steps.next();
        if (step.done) {
          jobs.delete(col);
          finished.push([col, step.value]);
          break;
        }
        job.checked = step.value;
      } while (performance.now() - started < share);
    }
    batch(() => {
      for (const [col, result] of finished) {
        results[col]?.[1](() => result);
        progress[col]?.[1](null);
      }
      for (const [col, job] of jobs) progress[col]?.[1](Math.min(0.99, job.checked / Math.max(1, job.rowCount)));
      setPending(jobs.size);
    });
    if (jobs.size > 0) schedule();
  };
  // A message to ourselves runs the next slice as soon as the tab is idle; nested setTimeout(0) would wait ≥ 4 ms.
  let scheduled = false;
  let disposed = false;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    if (!disposed) tick();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    channel.port2.postMessage(null);
  };
  onCleanup(() => {
    disposed = true;
    channel.port1.close();
  });

  const start = (col: number) => {
    const input = untrack(inputs[col] as Accessor<CheckInput | null>);
    if (!input) {
      jobs.delete(col);
      setPending(jobs.size);
      return;
    }
    jobs.set(col, { steps: columnProblemSteps(columnInput(col, input), SLICE_ROWS), rowCount: store.rowCount, checked: 0 });
    progress[col]?.[1](0);
    setPending(jobs.size);
    schedule();
  };

  for (let col = 0; col < store.columnCount; col++) {
    const result = createSignal<ColumnProblems | null>(null);
    results.push(result);
    progress.push(createSignal<number | null>(null));
    const input = createMemo(() => (options.ready() ? options.input(col) : null), null, { equals: sameInput });
    inputs.push(input);
    createComputed(
      on(input, () => {
        // A column checked as something else shows nothing until its new check is done, never stale problems.
        result[1](null);
        progress[col]?.[1](null);
        start(col);
      }),
    );
  }

  /** One cell checked alone, as the whole-column check would judge it. */
  const recheckCell = (row: number, col: number, input: CheckInput) => {
    const previous = untrack(results[col]?.[0] ?? (() => null));
    if (!previous) return;
    const single = columnProblems({ ...columnInput(col, input), rowCount: 1, value: () => store.get(row, col) ?? '', isBlankRow: input.isIdentifier ? () => input.imported.every((c) => (store.get(row, c) ?? '').trim() === '') : undefined });
    results[col]?.[1](() => withRowRechecked(previous, row, single));
  };

  return {
    problems: (col) => results[col]?.[0]() ?? null,
    progress: (col) => progress[col]?.[0]() ?? null,
    pending,
    edited(row, col) {
      batch(() => {
        const input = untrack(inputs[col] ?? (() => null));
        if (input) {
          // Duplicates involve other rows: the identifier is checked whole. Any other column: just this cell.
          if (input.isIdentifier || jobs.has(col)) start(col);
          else recheckCell(row, col, input);
        }
        // Emptying or filling a cell can make the row blank or not, which decides an empty identifier's fate.
        for (let c = 0; c < inputs.length; c++) {
          const other = untrack(inputs[c] as Accessor<CheckInput | null>);
          if (c !== col && other?.isIdentifier && other.imported.includes(col) && !jobs.has(c) && (store.get(row, c) ?? '').trim() === '') {
            recheckCell(row, c, other);
          }
        }
      });
    },
  };
}
