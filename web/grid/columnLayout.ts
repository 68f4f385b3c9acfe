import { createVirtualizer } from '@tanstack/solid-virtual';
import { type Accessor, createEffect, createMemo, on } from 'solid-js';

export const COLUMN_WIDTH = 220;

export interface ColumnLayout {
  /** Width of the row-number column, which grows with the row count's digits. */
  rowNumberWidth: Accessor<number>;
  /** Left edge of each column (and the right edge of the last at `columnCount`), in canvas px. */
  columnStarts: Accessor<Float64Array>;
  totalWidth: () => number;
  /** The columns to draw: index, left edge and width. */
  visibleColumns: () => { index: number; start: number; size: number }[];
  /** The scroller's scroll handler reports its scrollLeft here. */
  onScrollLeft(left: number): void;
  scrollColumnIntoView(col: number): void;
}

/**
 * Horizontal layout: column widths (as the table's resizing sets them), their positions, and column
 * virtualization, so 200 columns cost what the visible ones cost.
 */
export function createColumnLayout(options: {
  columnCount: number;
  /** Current width of each data column. */
  sizes: Accessor<readonly number[]>;
  rowCount: Accessor<number>;
  scroller: () => HTMLElement | undefined;
}): ColumnLayout {
  const { columnCount } = options;
  const rowNumberWidth = createMemo(() => 28 + 8 * String(Math.max(options.rowCount(), 9)).length);
  const sizes = createMemo(() => options.sizes(), [], { equals: (a, b) => a.length === b.length && a.every((s, i) => s === b[i]) });
  const columnStarts = createMemo(() => {
    const starts = new Float64Array(columnCount + 1);
    let x = rowNumberWidth();
    sizes().forEach((size, i) => {
      starts[i] = x;
      x += size;
    });
    starts[columnCount] = x;
    return starts;
  });

  // The grid's own scroll handler reads scrollLeft (before anything is written) and hands it over: the stock
  // observer would read it after the rows were updated, forcing a second layout in every frame.
  let reportColumnOffset: ((offset: number, isScrolling: boolean) => void) | null = null;
  let lastScrollLeft = -1;
  const virtualizer = createVirtualizer({
    horizontal: true,
    observeElementOffset: (_instance, report) => {
      reportColumnOffset = report;
      report(options.scroller()?.scrollLeft ?? 0, false);
      return () => {
        reportColumnOffset = null;
      };
    },
    get count() {
      return columnCount;
    },
    getScrollElement: () => options.scroller() ?? null,
    estimateSize: (i) => sizes()[i] ?? COLUMN_WIDTH,
    get paddingStart() {
      return rowNumberWidth();
    },
    overscan: 2,
  });
  createEffect(on([sizes, rowNumberWidth], () => virtualizer.measure(), { defer: true }));

  return {
    rowNumberWidth,
    columnStarts,
    totalWidth: () => columnStarts()[columnCount] as number,
    visibleColumns: () => virtualizer.getVirtualItems(),
    onScrollLeft(left) {
      if (left === lastScrollLeft) return;
      lastScrollLeft = left;
      reportColumnOffset?.(left, false);
    },
    scrollColumnIntoView(col) {
      const scroller = options.scroller();
      if (!scroller) return;
      const starts = columnStarts();
      const left = (starts[col] as number) - rowNumberWidth();
      const right = starts[col + 1] as number;
      if (left < scroller.scrollLeft) scroller.scrollLeft = left;
      else if (right > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = right - scroller.clientWidth;
    },
  };
}
