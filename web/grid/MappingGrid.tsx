import {
  type Cell,
  columnResizingFeature,
  columnSizingFeature,
  constructCell,
  createColumnHelper,
  createTable,
  type Row,
  tableFeatures,
} from '@tanstack/solid-table';
import { createVirtualizer } from '@tanstack/solid-virtual';
import { batch, createEffect, createMemo, createSelector, createSignal, For, Index, on, onCleanup, onMount, Show, untrack } from 'solid-js';
import type { Field, FieldType } from '../../shared/schema/fields.ts';
import { type CellProblemCode, predictedRejection, raggedRowMessage, raggedRows } from '../../shared/validation/index.ts';
import type { RowStore } from '../rows/rowStore.ts';
import { CellEditor } from './CellEditor.tsx';
import { ColumnHeader } from './ColumnHeader.tsx';
import { createColumnChecks } from './columnChecks.ts';
import { type ColumnState, columnsByTarget, withSensitive, withSuggestionConfirmed, withTarget } from './columnState.ts';
import { GridToolbar } from './GridToolbar.tsx';
import { maskValue } from './maskValue.ts';
import { combineProblems, lowerBound } from './problemRows.ts';
import { type Align, maxVirtualOffset, offsetToShow, type RowGeometry, rowsPerPage, rowTop, rowWindow, scrollHeight, scrollTopFor, virtualOffset, windowSize } from './scaledScroll.ts';
import './grid.css';

export type { ColumnState } from './columnState.ts';

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

export interface MappingGridProps {
  store: RowStore;
  fields: readonly Field[];
  columns: readonly ColumnState[];
  identifier: number | null;
  /** ISO country for phone numbers without a prefix (validation follows the Worker's). */
  defaultCountry: string;
  onColumnsChange: (columns: ColumnState[]) => void;
  onIdentifierChange: (column: number | null) => void;
  /** Creates a workspace field; the grid maps the column to it once it resolves. */
  onCreateField: (label: string, type: FieldType) => Promise<Field>;
  onProblemsChange?: (problems: GridProblems) => void;
}

const ROW_HEIGHT = 32;
const HEADER_HEIGHT = 112;
const COLUMN_WIDTH = 220;
const OVERSCAN_ROWS = 4;
// The drawn rows change what they show every BLOCK_ROWS rows of scrolling; in between only their offset moves.
const BLOCK_ROWS = 8;

/**
 * One slot of the visible window: its place in the (maybe filtered) display and its 0-based row in the store.
 * Slots are recycled: the same objects (reactive getters) follow the window as it scrolls, so TanStack's rows and
 * cells and their DOM stay put and only text and classes change.
 */
type GridRow = { readonly display: number; readonly index: number };

const features = tableFeatures({ columnSizingFeature, columnResizingFeature });
const helper = createColumnHelper<typeof features, GridRow>();
type GridCell = Cell<typeof features, GridRow, unknown>;

/**
 * The import grid: every row of the source (virtualized both ways, a million rows scroll to the end), each column
 * header holding its mapping controls. Controlled: the page owns columns and identifier and hears every change.
 */
export function MappingGrid(props: MappingGridProps) {
  // One view per store: a new file starts from a clean scroll position, selection and check queue.
  return (
    <Show when={props.store} keyed>
      {(store) => <GridView {...props} store={store} />}
    </Show>
  );
}

function GridView(props: MappingGridProps) {
  const store = untrack(() => props.store);
  const columnCount = store.columnCount;

  // --- the store, made reactive -------------------------------------------------------------------------------
  const [rowCount, setRowCount] = createSignal(store.rowCount);
  const [complete, setComplete] = createSignal(store.complete);
  const [editCount, setEditCount] = createSignal(store.editCount);
  const editVersions = Array.from({ length: columnCount }, () => createSignal(0));
  const listenToStore = () =>
    store.subscribe((change) => {
      if (change.kind === 'rows') setRowCount(change.rowCount);
      else if (change.kind === 'complete') {
        batch(() => {
          setRowCount(change.rowCount);
          setComplete(true);
        });
      } else {
        batch(() => {
          const version = editVersions[change.col];
          version?.[1]((v) => v + 1);
          setEditCount(store.editCount);
          checks.edited(change.row, change.col);
        });
      }
    });
  const cellValue = (row: number, col: number) => {
    editVersions[col]?.[0]();
    return store.get(row, col) ?? '';
  };

  // --- mapping state ------------------------------------------------------------------------------------------
  const fieldByKey = createMemo(() => new Map(props.fields.map((f) => [f.key, f])));
  const byTarget = createMemo(() => columnsByTarget(props.columns));
  const imported = createMemo(
    () => props.columns.flatMap((c, i) => (c.target !== null ? [i] : [])),
    [],
    { equals: (a, b) => a.length === b.length && a.every((c, i) => c === b[i]) },
  );
  const fieldOf = (col: number): Field | null => {
    const target = props.columns[col]?.target;
    return target ? (fieldByKey().get(target) ?? null) : null;
  };
  const usedBy = (key: string) => {
    const col = byTarget().get(key);
    return col === undefined ? null : (props.columns[col]?.header ?? null);
  };
  const setColumns = (next: ColumnState[]) => props.onColumnsChange(next);
  // The page may swap columns and store in two steps: until both match, a missing column reads as skipped.
  const columnState = (col: number): ColumnState =>
    props.columns[col] ?? { header: store.headers[col] ?? `Column ${col + 1}`, target: null, suggested: false, sensitive: false };

  // --- problems -----------------------------------------------------------------------------------------------
  const checks = createColumnChecks({
    store,
    ready: complete,
    input: (col) => {
      const state = props.columns[col];
      const isIdentifier = props.identifier === col;
      if (!state || (state.target === null && !isIdentifier)) return null;
      return {
        // A field created a moment ago may not be in `fields` yet: checked as text until it is.
        type: fieldOf(col)?.type ?? 'text',
        isIdentifier,
        sensitive: state.sensitive,
        defaultCountry: props.defaultCountry,
        imported: imported(),
      };
    },
  });
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
      columns.push({ column: c, header: props.columns[c]?.header ?? '', target: props.columns[c]?.target ?? null, counts: problems.counts, errorCount: problems.errorCount });
    }
    const { rows, rejected } = combined();
    return { settled: complete() && checks.pending() === 0, columns, raggedRows: ragged()?.rows.length ?? 0, problemRows: rows.length, rejectedRows: rejected };
  });
  createEffect(() => props.onProblemsChange?.(summary()));
  onCleanup(listenToStore());

  // --- which rows are shown -----------------------------------------------------------------------------------
  const [onlyProblems, setOnlyProblems] = createSignal(false);
  const shownRows = () => (onlyProblems() ? combined().rows : null);
  const displayCount = () => shownRows()?.length ?? rowCount();
  const dataRowAt = (display: number) => {
    const rows = shownRows();
    return rows ? (rows[display] ?? -1) : display;
  };
  const displayOf = (dataRow: number) => {
    const rows = shownRows();
    if (!rows) return dataRow;
    const at = lowerBound(rows, dataRow);
    return rows[at] === dataRow ? at : -1;
  };

  // --- scrolling ----------------------------------------------------------------------------------------------
  let scroller: HTMLDivElement | undefined;
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal({ width: 1000, height: 600 });
  const geometry = createMemo(
    (): RowGeometry => ({ rowCount: displayCount(), rowHeight: ROW_HEIGHT, viewportHeight: Math.max(ROW_HEIGHT, viewport().height - HEADER_HEIGHT) }),
    undefined,
    { equals: (a: RowGeometry, b: RowGeometry) => a.rowCount === b.rowCount && a.viewportHeight === b.viewportHeight },
  );
  // A programmatic scroll remembers the exact offset it aimed at: scrollTop is rounded by the browser, and in the
  // scaled range one pixel of it is several pixels of rows, so "go to row N" would otherwise land a little off.
  const [anchor, setAnchor] = createSignal<{ top: number; offset: number; geometry: RowGeometry } | null>(null);
  const offset = createMemo(() => {
    const top = scrollTop();
    const a = anchor();
    const g = geometry();
    return a && a.top === top && a.geometry === g ? a.offset : virtualOffset(g, top);
  });
  const drawn = createMemo(() => rowWindow(geometry(), offset(), OVERSCAN_ROWS, BLOCK_ROWS), undefined, {
    equals: (a, b) => a.start === b.start && a.end === b.end,
  });
  const windowTop = () => rowTop(geometry(), drawn().start, scrollTop(), offset());

  const scrollToOffset = (target: number) => {
    if (!scroller) return;
    const g = geometry();
    scroller.scrollTop = scrollTopFor(g, target);
    const top = scroller.scrollTop;
    batch(() => {
      setAnchor({ top, offset: Math.min(Math.max(target, 0), maxVirtualOffset(g)), geometry: g });
      setScrollTop(top);
    });
  };
  const scrollRowIntoView = (display: number, align: Align) => {
    const target = offsetToShow(geometry(), display, offset(), align);
    if (target !== offset()) scrollToOffset(target);
  };

  // --- columns ------------------------------------------------------------------------------------------------
  const rowNumberWidth = createMemo(() => 28 + 8 * String(Math.max(rowCount(), 9)).length);
  const columnDefs = helper.columns([
    helper.display({ id: 'row', header: () => '#', size: 60, enableResizing: false, cell: (ctx) => <>{ctx.row.original.index + 1}</> }),
    ...Array.from({ length: columnCount }, (_, c) =>
      helper.accessor((r: GridRow) => store.get(r.index, c) ?? '', {
        id: `c${c}`,
        size: COLUMN_WIDTH,
        minSize: 120,
        maxSize: 640,
        header: () => (
          <ColumnHeader
            col={c}
            state={columnState(c)}
            field={fieldOf(c)}
            fields={props.fields}
            isIdentifier={props.identifier === c}
            problems={checks.problems(c)}
            checking={props.columns[c]?.target == null && props.identifier !== c ? null : complete() ? checks.progress(c) : 0}
            usedBy={usedBy}
            onPick={(target) => setColumns(withTarget(props.columns, c, target))}
            onConfirm={() => setColumns(withSuggestionConfirmed(props.columns, c))}
            onCreate={async (label, type) => {
              const field = await props.onCreateField(label, type);
              setColumns(withTarget(props.columns, c, field.key));
            }}
            onToggleIdentifier={() => props.onIdentifierChange(props.identifier === c ? null : c)}
            onToggleSensitive={() => setColumns(withSensitive(props.columns, c, !props.columns[c]?.sensitive))}
            onShowProblems={() => showProblems(true)}
          />
        ),
        cell: (ctx) => <CellView row={ctx.row.original} col={c} />,
      }),
    ),
  ]);

  // New slots only when the viewport's height changes, not on scroll; slots past the end of the data are hidden.
  const slotCount = createMemo(() => windowSize(geometry(), OVERSCAN_ROWS, BLOCK_ROWS));
  const slots = createMemo(() =>
    Array.from(
      { length: slotCount() },
      (_, i): GridRow => ({
        get display() {
          return drawn().start + i;
        },
        get index() {
          const display = drawn().start + i;
          return display < displayCount() ? dataRowAt(display) : -1;
        },
      }),
    ),
  );
  const table = createTable({
    features,
    columns: columnDefs,
    get data() {
      return slots();
    },
    getRowId: (_slot, i) => String(i),
    columnResizeMode: 'onChange',
  });
  const headers = () => table.getHeaderGroups()[0]?.headers ?? [];
  const columnSizes = createMemo(() => table.getAllLeafColumns().slice(1).map((column) => column.getSize()), [], {
    equals: (a, b) => a.length === b.length && a.every((s, i) => s === b[i]),
  });
  const columnStarts = createMemo(() => {
    const starts = new Float64Array(columnCount + 1);
    let x = rowNumberWidth();
    columnSizes().forEach((size, i) => {
      starts[i] = x;
      x += size;
    });
    starts[columnCount] = x;
    return starts;
  });
  const totalWidth = () => columnStarts()[columnCount] as number;

  // The grid's own scroll handler reads scrollLeft (before anything is written) and hands it over: the stock
  // observer would read it after the rows were updated, forcing a second layout in every frame.
  let reportColumnOffset: ((offset: number, isScrolling: boolean) => void) | null = null;
  let lastScrollLeft = -1;
  const columnVirtualizer = createVirtualizer({
    horizontal: true,
    observeElementOffset: (_instance, report) => {
      reportColumnOffset = report;
      report(scroller?.scrollLeft ?? 0, false);
      return () => {
        reportColumnOffset = null;
      };
    },
    get count() {
      return columnCount;
    },
    getScrollElement: () => scroller ?? null,
    estimateSize: (i) => columnSizes()[i] ?? COLUMN_WIDTH,
    get paddingStart() {
      return rowNumberWidth();
    },
    overscan: 2,
  });
  createEffect(on([columnSizes, rowNumberWidth], () => columnVirtualizer.measure(), { defer: true }));
  const visibleColumns = () => columnVirtualizer.getVirtualItems();

  // Only the cells of visible columns are built: row.getAllCells() would make 200 per row on every scroll step.
  // Column -1 is the row-number column.
  const cellCache = new WeakMap<Row<typeof features, GridRow>, Map<number, GridCell>>();
  const cellOf = (row: Row<typeof features, GridRow>, col: number): GridCell => {
    let cells = cellCache.get(row);
    if (!cells) cellCache.set(row, (cells = new Map()));
    let cell = cells.get(col);
    if (!cell) {
      const column = table.getAllLeafColumns()[col + 1];
      if (!column) throw new Error(`no column ${col}`);
      cell = constructCell(column, row, table) as GridCell;
      cells.set(col, cell);
    }
    return cell;
  };

  // --- active cell, keyboard, editing -------------------------------------------------------------------------
  const [active, setActive] = createSignal<{ row: number; col: number } | null>(null);
  const [editing, setEditing] = createSignal<{ row: number; col: number; initial: string } | null>(null);

  const scrollColumnIntoView = (col: number) => {
    if (!scroller) return;
    const starts = columnStarts();
    const left = (starts[col] as number) - rowNumberWidth();
    const right = starts[col + 1] as number;
    if (left < scroller.scrollLeft) scroller.scrollLeft = left;
    else if (right > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = right - scroller.clientWidth;
  };
  const moveTo = (display: number, col: number, align: Align = 'nearest') => {
    const count = displayCount();
    if (count === 0) return;
    const d = Math.min(Math.max(display, 0), count - 1);
    const c = Math.min(Math.max(col, 0), columnCount - 1);
    setActive({ row: dataRowAt(d), col: c });
    scrollRowIntoView(d, align);
    scrollColumnIntoView(c);
  };
  const activeDisplay = () => {
    const a = active();
    const d = a ? displayOf(a.row) : -1;
    // Nothing selected (or the selection is filtered out): start from the first row in view.
    return d >= 0 ? d : Math.min(Math.ceil(offset() / ROW_HEIGHT), displayCount() - 1);
  };
  const startEditing = (row: number, col: number, initial?: string) => {
    if (row < 0 || row >= rowCount()) return;
    setActive({ row, col });
    setEditing({ row, col, initial: initial ?? store.get(row, col) ?? '' });
  };
  const finishEditing = (value: string | null, move: 'down' | 'right' | 'left' | null) => {
    const e = editing();
    if (!e) return;
    setEditing(null);
    if (value !== null) store.setEdit(e.row, e.col, value);
    scroller?.focus({ preventScroll: true });
    const d = displayOf(e.row);
    if (move === 'down') moveTo((d >= 0 ? d : activeDisplay()) + 1, e.col);
    else if (move === 'right') moveTo(d, e.col + 1);
    else if (move === 'left') moveTo(d, e.col - 1);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    // Keys typed into header controls or an editor bubble up here; those are theirs.
    if (event.target !== scroller || editing()) return;
    const a = active();
    const d = activeDisplay();
    const c = a?.col ?? 0;
    const page = rowsPerPage(geometry());
    const ctrl = event.ctrlKey || event.metaKey;
    // The first arrow press only selects the first cell in view.
    if (!a && event.key.startsWith('Arrow')) {
      moveTo(d, 0);
      event.preventDefault();
      return;
    }
    switch (event.key) {
      case 'ArrowDown':
        moveTo(ctrl ? displayCount() - 1 : d + 1, c);
        break;
      case 'ArrowUp':
        moveTo(ctrl ? 0 : d - 1, c);
        break;
      case 'ArrowRight':
        moveTo(d, ctrl ? columnCount - 1 : c + 1);
        break;
      case 'ArrowLeft':
        moveTo(d, ctrl ? 0 : c - 1);
        break;
      case 'PageDown':
        moveTo(d + page, c, 'start');
        break;
      case 'PageUp':
        moveTo(d - page, c, 'end');
        break;
      case 'Home':
        moveTo(ctrl ? 0 : d, ctrl ? c : 0);
        break;
      case 'End':
        moveTo(ctrl ? displayCount() - 1 : d, ctrl ? c : columnCount - 1);
        break;
      case 'Tab':
        if (event.shiftKey ? c === 0 : c === columnCount - 1) return;
        moveTo(d, c + (event.shiftKey ? -1 : 1));
        break;
      case 'Enter':
      case 'F2':
        if (!a) moveTo(d, c);
        else startEditing(a.row, a.col);
        break;
      default:
        // Typing on a cell starts replacing its value, as in a spreadsheet.
        if (a && event.key.length === 1 && !ctrl && !event.altKey) {
          startEditing(a.row, a.col, event.key);
          break;
        }
        return;
    }
    event.preventDefault();
  };

  const goToRow = (rowNumber: number) => {
    const row = Math.min(Math.max(Math.round(rowNumber), 1), rowCount()) - 1;
    if (row < 0) return;
    if (displayOf(row) < 0) setOnlyProblems(false);
    moveTo(displayOf(row), active()?.col ?? 0, 'start');
    scroller?.focus({ preventScroll: true });
  };
  const showProblems = (on: boolean) => {
    batch(() => {
      setOnlyProblems(on);
      setAnchor(null);
    });
    if (scroller) scroller.scrollTop = 0;
    setScrollTop(0);
  };

  // --- cells --------------------------------------------------------------------------------------------------
  const activeRow = createSelector(() => active()?.row ?? -1);
  const activeKey = createSelector(() => {
    const a = active();
    return a ? a.row * columnCount + a.col : -1;
  });

  function CellView(cellProps: { row: GridRow; col: number }) {
    const col = cellProps.col;
    // The slot follows the window: every read of its row goes through this accessor.
    const row = () => cellProps.row.index;
    const value = () => cellValue(row(), col);
    const problem = createMemo(() => (row() >= 0 ? (checks.problems(col)?.problemAt(row()) ?? null) : null));
    const sensitive = () => props.columns[col]?.sensitive === true;
    const edit = () => {
      const e = editing();
      return e && e.row === row() && e.col === col ? e : null;
    };
    const edited = () => (editVersions[col]?.[0](), store.isEdited(row(), col));
    const missing = () => col >= store.fieldCount(row()) && !edited();
    return (
      <div
        class="mg-cell"
        classList={{
          'mg-cell-error': problem()?.severity === 'error',
          'mg-cell-warning': problem()?.severity === 'warning',
          'mg-cell-active': activeKey(row() * columnCount + col),
          'mg-cell-edited': edited(),
          'mg-cell-missing': missing(),
          'mg-cell-masked': sensitive(),
        }}
        title={problem()?.message ?? (missing() ? 'This row has no value here (it is shorter than the header)' : undefined)}
        data-testid={`cell-${row() + 1}-${col}`}
        onClick={() => setActive({ row: row(), col })}
        onDblClick={() => startEditing(row(), col)}
      >
        <Show when={edit()} fallback={sensitive() ? maskValue(value()) : value()}>
          {(e) => <CellEditor initial={e().initial} secret={sensitive()} onDone={finishEditing} />}
        </Show>
      </div>
    );
  }

  // --- layout -------------------------------------------------------------------------------------------------
  onMount(() => {
    if (!scroller) return;
    const el = scroller;
    const measure = () => setViewport({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    onCleanup(() => observer.disconnect());
  });

  const rowIsRagged = (row: number) => store.fieldCount(row) !== columnCount;
  const raggedMessage = (row: number) => ragged()?.problemAt(row)?.message ?? predictedRejection(raggedRowMessage(store.fieldCount(row), columnCount));

  return (
    <div class="mg" data-testid="grid" style={{ '--mg-row-h': `${ROW_HEIGHT}px`, '--mg-header-h': `${HEADER_HEIGHT}px`, '--mg-rownum-w': `${rowNumberWidth()}px` }}>
      <GridToolbar
        rowCount={rowCount()}
        columnCount={columnCount}
        complete={complete()}
        checking={checks.pending() > 0}
        problemRows={combined().rows.length}
        rejectedRows={combined().rejected}
        editCount={editCount()}
        onlyProblems={onlyProblems()}
        onOnlyProblems={showProblems}
        onGoToRow={goToRow}
      />
      <div
        ref={scroller}
        class="mg-scroller"
        tabindex="0"
        role="grid"
        aria-rowcount={displayCount() + 1}
        aria-colcount={columnCount + 1}
        aria-label="Rows of the file, one column per source column"
        data-testid="grid-scroller"
        onScroll={(e) => {
          const top = e.currentTarget.scrollTop;
          const left = e.currentTarget.scrollLeft;
          setScrollTop(top);
          if (left !== lastScrollLeft) {
            lastScrollLeft = left;
            reportColumnOffset?.(left, false);
          }
        }}
        onKeyDown={onKeyDown}
      >
        <div class="mg-canvas" style={{ width: `${totalWidth()}px`, height: `${HEADER_HEIGHT + scrollHeight(geometry())}px` }}>
          <div class="mg-header" role="row">
            <div class="mg-corner" role="columnheader">
              <Show when={headers()[0]}>{(h) => <table.FlexRender header={h()} />}</Show>
            </div>
            <For each={visibleColumns()}>
              {(item) => (
                <div class="mg-th" role="columnheader" style={{ left: `${item.start}px`, width: `${item.size}px` }}>
                  <Show when={headers()[item.index + 1]}>
                    {(h) => (
                      <>
                        <table.FlexRender header={h()} />
                        <div
                          class="mg-resizer"
                          classList={{ 'mg-resizing': h().column.getIsResizing() }}
                          onMouseDown={(e) => h().getResizeHandler()(e)}
                          onTouchStart={(e) => h().getResizeHandler()(e)}
                          onDblClick={() => h().column.resetSize()}
                          title="Drag to resize, double-click to reset"
                        />
                      </>
                    )}
                  </Show>
                </div>
              )}
            </For>
          </div>
          <div class="mg-body" style={{ height: `${scrollHeight(geometry())}px`, width: `${totalWidth()}px` }}>
            <div class="mg-window" style={{ transform: `translateY(${windowTop()}px)` }}>
              <Index each={table.getRowModel().rows}>
                {(row) => (
                  <Show when={row().original.index >= 0}>
                    <div class="mg-row" role="row" classList={{ 'mg-row-odd': row().original.display % 2 === 1 }} style={{ width: `${totalWidth()}px` }}>
                      <div
                        class="mg-rownum"
                        role="rowheader"
                        classList={{ 'mg-rownum-ragged': rowIsRagged(row().original.index), 'mg-rownum-active': activeRow(row().original.index) }}
                        title={rowIsRagged(row().original.index) ? raggedMessage(row().original.index) : undefined}
                        data-testid={`rownum-${row().original.index + 1}`}
                      >
                        <table.FlexRender cell={cellOf(row(), -1)} />
                      </div>
                      <For each={visibleColumns()}>
                        {(item) => (
                          <div
                            class="mg-td"
                            role="gridcell"
                            classList={{
                              'mg-td-skipped': props.columns[item.index]?.target === null && props.identifier !== item.index,
                              'mg-td-identifier': props.identifier === item.index,
                            }}
                            style={{ left: `${item.start}px`, width: `${item.size}px` }}
                          >
                            <table.FlexRender cell={cellOf(row(), item.index)} />
                          </div>
                        )}
                      </For>
                    </div>
                  </Show>
                )}
              </Index>
            </div>
          </div>
        </div>
        <Show when={displayCount() === 0 && onlyProblems()}>
          <p class="mg-empty">No problems left: every row can be imported.</p>
        </Show>
      </div>
    </div>
  );
}
