import { type Accessor, createSelector, createSignal } from 'solid-js';
import type { RowStore } from '../rows/rowStore.ts';
import { ROW_HEIGHT, type RowWindow } from './rowWindow.ts';
import type { Align } from './scaledScroll.ts';
import { rowsPerPage } from './scaledScroll.ts';

export type CellAt = { row: number; col: number };
export type CellEdit = CellAt & { initial: string };

/** Which rows are shown, in which order: all of them, or only those with problems. */
export interface RowDisplay {
  displayCount: Accessor<number>;
  /** 0-based store row shown at display position `display` (-1: none). */
  dataRowAt(display: number): number;
  /** Display position of store row `row`, -1 when it is filtered out. */
  displayOf(row: number): number;
}

export interface CellSelection {
  active: Accessor<CellAt | null>;
  editing: Accessor<CellEdit | null>;
  isActiveRow: (row: number) => boolean;
  isActiveCell: (row: number, col: number) => boolean;
  select(row: number, col: number): void;
  startEditing(row: number, col: number, initial?: string): void;
  /** An editor closed: `value` null drops the edit; `move` is where the selection goes next. */
  finishEditing(value: string | null, move: 'down' | 'right' | 'left' | null): void;
  /** Selects display row `display` (clamped), column `col`, and scrolls it into view. */
  moveTo(display: number, col: number, align?: Align): void;
  /** Spreadsheet keys on the grid: arrows, Page Up/Down, Home/End (Ctrl for the far ends), Tab, Enter/F2, typing. */
  onKeyDown(event: KeyboardEvent): void;
}

/** The active cell, keyboard navigation and inline editing, over whatever rows the display shows. */
export function createCellSelection(options: {
  store: RowStore;
  columnCount: number;
  rowCount: Accessor<number>;
  display: RowDisplay;
  rows: RowWindow;
  scrollColumnIntoView: (col: number) => void;
  /** The element that owns the keys; keys from elsewhere (header controls, an editor) are not the grid's. */
  gridElement: () => HTMLElement | undefined;
}): CellSelection {
  const { store, columnCount, display, rows } = options;
  const [active, setActive] = createSignal<CellAt | null>(null);
  const [editing, setEditing] = createSignal<CellEdit | null>(null);
  const activeRow = createSelector(() => active()?.row ?? -1);
  const activeKey = createSelector(() => {
    const a = active();
    return a ? a.row * columnCount + a.col : -1;
  });

  const moveTo = (d: number, col: number, align: Align = 'nearest') => {
    const count = display.displayCount();
    if (count === 0) return;
    const at = Math.min(Math.max(d, 0), count - 1);
    const c = Math.min(Math.max(col, 0), columnCount - 1);
    setActive({ row: display.dataRowAt(at), col: c });
    rows.scrollRowIntoView(at, align);
    options.scrollColumnIntoView(c);
  };
  const activeDisplay = () => {
    const a = active();
    const d = a ? display.displayOf(a.row) : -1;
    // Nothing selected (or the selection is filtered out): start from the first row in view.
    return d >= 0 ? d : Math.min(Math.ceil(rows.offset() / ROW_HEIGHT), display.displayCount() - 1);
  };
  const startEditing = (row: number, col: number, initial?: string) => {
    if (row < 0 || row >= options.rowCount()) return;
    setActive({ row, col });
    setEditing({ row, col, initial: initial ?? store.get(row, col) ?? '' });
  };

  return {
    active,
    editing,
    isActiveRow: activeRow,
    isActiveCell: (row, col) => activeKey(row * columnCount + col),
    select: (row, col) => setActive({ row, col }),
    startEditing,
    finishEditing(value, move) {
      const e = editing();
      if (!e) return;
      setEditing(null);
      if (value !== null) store.setEdit(e.row, e.col, value);
      options.gridElement()?.focus({ preventScroll: true });
      const d = display.displayOf(e.row);
      if (move === 'down') moveTo((d >= 0 ? d : activeDisplay()) + 1, e.col);
      else if (move === 'right') moveTo(d, e.col + 1);
      else if (move === 'left') moveTo(d, e.col - 1);
    },
    moveTo,
    onKeyDown(event) {
      // Keys typed into header controls or an editor bubble up here; those are theirs.
      if (event.target !== options.gridElement() || editing()) return;
      const a = active();
      const d = activeDisplay();
      const c = a?.col ?? 0;
      const page = rowsPerPage(rows.geometry());
      const last = display.displayCount() - 1;
      const ctrl = event.ctrlKey || event.metaKey;
      // The first arrow press only selects the first cell in view.
      if (!a && event.key.startsWith('Arrow')) {
        moveTo(d, 0);
        event.preventDefault();
        return;
      }
      switch (event.key) {
        case 'ArrowDown':
          moveTo(ctrl ? last : d + 1, c);
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
          moveTo(ctrl ? last : d, ctrl ? c : columnCount - 1);
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
    },
  };
}
