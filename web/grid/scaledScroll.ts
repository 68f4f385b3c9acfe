/**
 * Row geometry for a grid taller than a browser lets an element be. Chrome stops near 33.5M px, Firefox near
 * 17.9M: a million 32 px rows do not fit. The scroller is capped at MAX_SCROLL_HEIGHT and its scrollTop is mapped
 * proportionally onto the "virtual" offset (rowIndex × rowHeight); rows are then drawn at the real scroll position.
 * Below the cap the mapping is the identity, so small files scroll exactly as a plain list would.
 */
export const MAX_SCROLL_HEIGHT = 15_000_000;

export interface RowGeometry {
  rowCount: number;
  rowHeight: number;
  /** Height of the part of the viewport that shows rows (below the sticky header). */
  viewportHeight: number;
  /** Override for tests; defaults to MAX_SCROLL_HEIGHT. */
  maxScrollHeight?: number;
}

/** Height the scrolled body really gets (px). */
export function scrollHeight(g: RowGeometry): number {
  return Math.min(g.rowCount * g.rowHeight, g.maxScrollHeight ?? MAX_SCROLL_HEIGHT);
}

function virtualMax(g: RowGeometry): number {
  return Math.max(0, g.rowCount * g.rowHeight - g.viewportHeight);
}

function realMax(g: RowGeometry): number {
  return Math.max(0, scrollHeight(g) - g.viewportHeight);
}

/** The virtual offset (px into rowCount × rowHeight) shown at a real scrollTop. */
export function virtualOffset(g: RowGeometry, scrollTop: number): number {
  const real = realMax(g);
  const virtual = virtualMax(g);
  const top = Math.min(Math.max(scrollTop, 0), real);
  if (real === virtual || real === 0) return Math.min(top, virtual);
  return (top * virtual) / real;
}

/** The real scrollTop that shows a virtual offset (clamped to what can be scrolled). */
export function scrollTopFor(g: RowGeometry, offset: number): number {
  const real = realMax(g);
  const virtual = virtualMax(g);
  const clamped = Math.min(Math.max(offset, 0), virtual);
  if (real === virtual || virtual === 0) return clamped;
  return (clamped * real) / virtual;
}

/** Largest virtual offset: the last row sits at the bottom of the viewport. */
export function maxVirtualOffset(g: RowGeometry): number {
  return virtualMax(g);
}

export interface RowWindow {
  /** First row to draw (inclusive) and last (exclusive), overscan included. */
  start: number;
  end: number;
}

/**
 * Rows drawn at once: the viewport, overscan on both sides and one block. Constant for a given viewport, so the
 * drawn rows can be recycled rather than rebuilt.
 */
export function windowSize(g: RowGeometry, overscan = 4, block = 1): number {
  return Math.ceil(g.viewportHeight / g.rowHeight) + 1 + 2 * overscan + block;
}

/**
 * The rows to draw at a virtual offset. `start` moves in steps of `block` rows: between two steps a scroll only
 * moves the drawn rows, it does not change what they show.
 */
export function rowWindow(g: RowGeometry, offset: number, overscan = 4, block = 1): RowWindow {
  if (g.rowCount === 0) return { start: 0, end: 0 };
  const first = Math.floor(offset / g.rowHeight);
  const start = Math.max(0, Math.floor((first - overscan) / block) * block);
  return { start, end: Math.min(g.rowCount, start + windowSize(g, overscan, block)) };
}

/**
 * Where a row is drawn inside the scrolled body: at the real scroll position plus its distance from the virtual
 * offset. Identical to row × rowHeight when nothing is scaled.
 */
export function rowTop(g: RowGeometry, row: number, scrollTop: number, offset: number): number {
  return scrollTop + row * g.rowHeight - offset;
}

export type Align = 'start' | 'end' | 'center' | 'nearest';

/** The virtual offset that brings `row` into view (for 'nearest': the current one when it already is). */
export function offsetToShow(g: RowGeometry, row: number, current: number, align: Align = 'nearest'): number {
  const top = row * g.rowHeight;
  const bottom = top + g.rowHeight;
  let target: number;
  switch (align) {
    case 'start':
      target = top;
      break;
    case 'end':
      target = bottom - g.viewportHeight;
      break;
    case 'center':
      target = top - (g.viewportHeight - g.rowHeight) / 2;
      break;
    case 'nearest':
      if (top < current) target = top;
      else if (bottom > current + g.viewportHeight) target = bottom - g.viewportHeight;
      else target = current;
  }
  return Math.min(Math.max(target, 0), virtualMax(g));
}

/** Rows a page key moves: the rows fully visible, less one so the user keeps their place. */
export function rowsPerPage(g: RowGeometry): number {
  return Math.max(1, Math.floor(g.viewportHeight / g.rowHeight) - 1);
}
