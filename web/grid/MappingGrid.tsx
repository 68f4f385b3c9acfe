import { RowPlace } from '../../shared/report/rowPlace.ts';
import { type Cell, columnResizingFeature, columnSizingFeature, constructCell, createColumnHelper, createTable, type Row, tableFeatures } from '@tanstack/solid-table';
import { batch, createMemo, createSignal, For, Index, onCleanup, onMount, Show, untrack } from 'solid-js';
import type { Field, FieldType } from '../../shared/schema/fields.ts';
import { predictedRejection, raggedRowMessage } from '../../shared/validation/index.ts';
import type { RowStore } from '../rows/rowStore.ts';
import { lowerBound } from '../validation/problemRows.ts';
import type { ValidationModel } from '../validation/validationModel.ts';
import { CellEditor } from './CellEditor.tsx';
import { createCellSelection, type RowDisplay } from './cellSelection.ts';
import { COLUMN_WIDTH, createColumnLayout } from './columnLayout.ts';
import { ColumnHeader } from './ColumnHeader.tsx';
import { type ColumnState, columnsByTarget, withSensitive, withSuggestionConfirmed, withTarget } from './columnState.ts';
import { GridToolbar } from './GridToolbar.tsx';
import type { PhoneCountryChoice } from './PhoneCountry.tsx';
import { maskValue } from './maskValue.ts';
import { createRowWindow, HEADER_HEIGHT, ROW_HEIGHT, type RowSlot } from './rowWindow.ts';
import './grid.css';

export type { ColumnState } from './columnState.ts';

export interface MappingGridProps {
  store: RowStore;
  fields: readonly Field[];
  columns: readonly ColumnState[];
  identifier: number | null;
  /** The import session's predictions for this store: the grid shows them, it does not make them. */
  validation: ValidationModel;
  onColumnsChange: (columns: ColumnState[]) => void;
  onIdentifierChange: (column: number | null) => void;
  /** Creates a workspace field; the grid maps the column to it once it resolves. */
  onCreateField: (label: string, type: FieldType) => Promise<Field>;
  /** Shown in the header of each phone column (see PhoneCountry.tsx). */
  phoneCountry?: PhoneCountryChoice;
  /** Line of the file a 0-based row starts on (null when unknown, e.g. CRM rows): the row header's tooltip says it. */
  rowLine?: (row: number) => number | null;
}

const features = tableFeatures({ columnSizingFeature, columnResizingFeature });
const helper = createColumnHelper<typeof features, RowSlot>();
type GridCell = Cell<typeof features, RowSlot, unknown>;

/**
 * The import grid: every row of the source (virtualized both ways, a million rows scroll to the end), each column
 * header holding its mapping controls. Controlled: the page owns columns, identifier and the validation model, and
 * hears every change. Built from primitives: the row window (rowWindow.ts), the column layout (columnLayout.ts),
 * the selection and editing (cellSelection.ts).
 */
export function MappingGrid(props: MappingGridProps) {
  // One view per store: a new file starts from a clean scroll position and selection. The validation model comes
  // with its store; until the page has made the new one, the old store's view stays.
  return (
    <Show when={props.validation.store === props.store ? props.store : null} keyed>
      {(store) => <GridView {...props} store={store} />}
    </Show>
  );
}

function GridView(props: MappingGridProps) {
  const store = untrack(() => props.store);
  const validation = untrack(() => props.validation);
  const columnCount = store.columnCount;

  // --- the store, made reactive for what the grid draws ----------------------------------------------------------
  const [rowCount, setRowCount] = createSignal(store.rowCount);
  const [editCount, setEditCount] = createSignal(store.editCount);
  const editVersions = Array.from({ length: columnCount }, () => createSignal(0));
  onCleanup(
    store.subscribe((change) => {
      if (change.kind !== 'edit') setRowCount(change.rowCount);
      else {
        batch(() => {
          editVersions[change.col]?.[1]((v) => v + 1);
          setEditCount(store.editCount);
        });
      }
    }),
  );
  const cellValue = (row: number, col: number) => {
    editVersions[col]?.[0]();
    return store.get(row, col) ?? '';
  };

  // --- mapping state -------------------------------------------------------------------------------------------
  const fieldByKey = createMemo(() => new Map(props.fields.map((f) => [f.key, f])));
  const byTarget = createMemo(() => columnsByTarget(props.columns));
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

  // --- which rows are shown ------------------------------------------------------------------------------------
  const { onlyProblems, setOnlyProblems } = validation;
  const shownRows = () => (onlyProblems() ? validation.combined().rows : null);
  const display: RowDisplay = {
    displayCount: () => shownRows()?.length ?? rowCount(),
    dataRowAt(d) {
      const rows = shownRows();
      return rows ? (rows[d] ?? -1) : d;
    },
    displayOf(dataRow) {
      const rows = shownRows();
      if (!rows) return dataRow;
      const at = lowerBound(rows, dataRow);
      return rows[at] === dataRow ? at : -1;
    },
  };

  // --- windowing, columns, selection ---------------------------------------------------------------------------
  let scroller: HTMLDivElement | undefined;
  const rows = createRowWindow({ displayCount: display.displayCount, dataRowAt: display.dataRowAt });

  const columnDefs = helper.columns([
    helper.display({ id: 'row', header: () => '#', size: 60, enableResizing: false, cell: (ctx) => <>{ctx.row.original.index + 1}</> }),
    ...Array.from({ length: columnCount }, (_, c) =>
      helper.accessor((r: RowSlot) => store.get(r.index, c) ?? '', {
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
            problems={validation.problems(c)}
            checking={validation.progress(c)}
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
            phoneCountry={fieldOf(c)?.type === 'phone' ? props.phoneCountry : undefined}
          />
        ),
        cell: (ctx) => <CellView row={ctx.row.original} col={c} />,
      }),
    ),
  ]);
  const table = createTable({
    features,
    columns: columnDefs,
    get data() {
      return rows.slots();
    },
    getRowId: (_slot, i) => String(i),
    columnResizeMode: 'onChange',
  });
  const headers = () => table.getHeaderGroups()[0]?.headers ?? [];
  const layout = createColumnLayout({
    columnCount,
    sizes: () => table.getAllLeafColumns().slice(1).map((column) => column.getSize()),
    rowCount,
    scroller: () => scroller,
  });

  // Only the cells of visible columns are built: row.getAllCells() would make 200 per row on every scroll step.
  // Column -1 is the row-number column.
  const cellCache = new WeakMap<Row<typeof features, RowSlot>, Map<number, GridCell>>();
  const cellOf = (row: Row<typeof features, RowSlot>, col: number): GridCell => {
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

  const selection = createCellSelection({
    store,
    columnCount,
    rowCount,
    display,
    rows,
    scrollColumnIntoView: layout.scrollColumnIntoView,
    gridElement: () => scroller,
  });

  const goToRow = (rowNumber: number) => {
    const row = Math.min(Math.max(Math.round(rowNumber), 1), rowCount()) - 1;
    if (row < 0) return;
    if (display.displayOf(row) < 0) setOnlyProblems(false);
    selection.moveTo(display.displayOf(row), selection.active()?.col ?? 0, 'start');
    scroller?.focus({ preventScroll: true });
  };
  const showProblems = (on: boolean) => {
    batch(() => {
      setOnlyProblems(on);
      rows.scrollToStart();
    });
  };

  // --- cells ---------------------------------------------------------------------------------------------------
  function CellView(cellProps: { row: RowSlot; col: number }) {
    const col = cellProps.col;
    // The slot follows the window: every read of its row goes through this accessor.
    const row = () => cellProps.row.index;
    const value = () => cellValue(row(), col);
    const problem = createMemo(() => (row() >= 0 ? (validation.problems(col)?.problemAt(row()) ?? null) : null));
    const sensitive = () => props.columns[col]?.sensitive === true;
    const edit = () => {
      const e = selection.editing();
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
          'mg-cell-active': selection.isActiveCell(row(), col),
          'mg-cell-edited': edited(),
          'mg-cell-missing': missing(),
          'mg-cell-masked': sensitive(),
        }}
        title={problem()?.message ?? (missing() ? 'This row has no value here (it is shorter than the header)' : undefined)}
        data-testid={`cell-${row() + 1}-${col}`}
        onClick={() => selection.select(row(), col)}
        onDblClick={() => selection.startEditing(row(), col)}
      >
        <Show when={edit()} fallback={sensitive() ? maskValue(value()) : value()}>
          {(e) => <CellEditor initial={e().initial} secret={sensitive()} onDone={selection.finishEditing} />}
        </Show>
      </div>
    );
  }

  // --- layout --------------------------------------------------------------------------------------------------
  onMount(() => {
    if (scroller) rows.attach(scroller);
  });

  const rowIsRagged = (row: number) => store.fieldCount(row) !== columnCount;
  const raggedMessage = (row: number) => validation.ragged()?.problemAt(row)?.message ?? predictedRejection(raggedRowMessage(store.fieldCount(row), columnCount));
  // Where the row is in the user's spreadsheet (multi-line values make the line differ from the row number), and
  // why a ragged row will be rejected.
  const rowHeaderTitle = (index: number): string | undefined => {
    const line = props.rowLine?.(index) ?? null;
    const parts = [line === null ? null : RowPlace(index + 1, line), rowIsRagged(index) ? raggedMessage(index) : null].filter((p) => p !== null);
    return parts.length ? parts.join(' — ') : undefined;
  };

  return (
    <div class="mg" data-testid="grid" style={{ '--mg-row-h': `${ROW_HEIGHT}px`, '--mg-header-h': `${HEADER_HEIGHT}px`, '--mg-rownum-w': `${layout.rowNumberWidth()}px` }}>
      <GridToolbar
        rowCount={rowCount()}
        columnCount={columnCount}
        complete={validation.complete()}
        checking={validation.pending() > 0}
        problemRows={validation.combined().rows.length}
        rejectedRows={validation.combined().rejected}
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
        aria-rowcount={display.displayCount() + 1}
        aria-colcount={columnCount + 1}
        aria-label="Rows of the file, one column per source column"
        data-testid="grid-scroller"
        onScroll={(e) => {
          const top = e.currentTarget.scrollTop;
          const left = e.currentTarget.scrollLeft;
          rows.onScroll(top);
          layout.onScrollLeft(left);
        }}
        onKeyDown={(e) => selection.onKeyDown(e)}
      >
        <div class="mg-canvas" style={{ width: `${layout.totalWidth()}px`, height: `${HEADER_HEIGHT + rows.scrollHeight()}px` }}>
          <div class="mg-header" role="row">
            <div class="mg-corner" role="columnheader">
              <Show when={headers()[0]}>{(h) => <table.FlexRender header={h()} />}</Show>
            </div>
            <For each={layout.visibleColumns()}>
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
          <div class="mg-body" style={{ height: `${rows.scrollHeight()}px`, width: `${layout.totalWidth()}px` }}>
            <div class="mg-window" style={{ transform: `translateY(${rows.windowTop()}px)` }}>
              <Index each={table.getRowModel().rows}>
                {(row) => (
                  <Show when={row().original.index >= 0}>
                    <div class="mg-row" role="row" classList={{ 'mg-row-odd': row().original.display % 2 === 1 }} style={{ width: `${layout.totalWidth()}px` }}>
                      <div
                        class="mg-rownum"
                        role="rowheader"
                        classList={{ 'mg-rownum-ragged': rowIsRagged(row().original.index), 'mg-rownum-active': selection.isActiveRow(row().original.index) }}
                        title={rowHeaderTitle(row().original.index)}
                        data-testid={`rownum-${row().original.index + 1}`}
                      >
                        <table.FlexRender cell={cellOf(row(), -1)} />
                      </div>
                      <For each={layout.visibleColumns()}>
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
        <Show when={display.displayCount() === 0 && onlyProblems()}>
          <p class="mg-empty">No problems left: every row can be imported.</p>
        </Show>
      </div>
    </div>
  );
}
