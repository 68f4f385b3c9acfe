import { type Accessor, batch, createMemo, createSignal, onCleanup } from 'solid-js';
import { type Align, maxVirtualOffset, offsetToShow, type RowGeometry, rowTop, rowWindow, scrollHeight, scrollTopFor, virtualOffset, windowSize } from './scaledScroll.ts';

export const ROW_HEIGHT = 32;
export const HEADER_HEIGHT = 112;
const OVERSCAN_ROWS = 4;
// The drawn rows change what they show every BLOCK_ROWS rows of scrolling; in between only their offset moves.
const BLOCK_ROWS = 8;

/**
 * One slot of the visible window: its place in the (maybe filtered) display and its 0-based row in the store.
 * Slots are recycled: the same objects (reactive getters) follow the window as it scrolls, so the rows' DOM stays
 * put and only text and classes change.
 */
export type RowSlot = { readonly display: number; readonly index: number };

export interface RowWindow {
  geometry: Accessor<RowGeometry>;
  /** Where the viewport's top is in the (unscaled) rows, in px. */
  offset: Accessor<number>;
  /** The slots to draw (recreated only when the viewport's height changes, not on scroll). */
  slots: Accessor<RowSlot[]>;
  /** Where the drawn window sits inside the scroll canvas. */
  windowTop: () => number;
  /** Canvas height for the rows. */
  scrollHeight: () => number;
  /** Brings display row `display` into view, aligned as asked. */
  scrollRowIntoView(display: number, align: Align): void;
  /** Back to the first row (the display changed under the user: a filter on or off). */
  scrollToStart(): void;
  /** The scroller's scroll handler reports its scrollTop here. */
  onScroll(top: number): void;
  /** Observes the scroller's size; call once it is in the DOM. */
  attach(scroller: HTMLElement): void;
}

/**
 * Row windowing for any number of rows: the scroll position is scaled past the browser's ~32M px element height
 * (scaledScroll.ts), and only a window of slots is drawn.
 */
export function createRowWindow(options: { displayCount: Accessor<number>; dataRowAt: (display: number) => number }): RowWindow {
  let scroller: HTMLElement | undefined;
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewportHeight, setViewportHeight] = createSignal(600);
  const geometry = createMemo(
    (): RowGeometry => ({ rowCount: options.displayCount(), rowHeight: ROW_HEIGHT, viewportHeight: Math.max(ROW_HEIGHT, viewportHeight() - HEADER_HEIGHT) }),
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

  const slotCount = createMemo(() => windowSize(geometry(), OVERSCAN_ROWS, BLOCK_ROWS));
  const slots = createMemo(() =>
    Array.from(
      { length: slotCount() },
      (_, i): RowSlot => ({
        get display() {
          return drawn().start + i;
        },
        get index() {
          const display = drawn().start + i;
          return display < options.displayCount() ? options.dataRowAt(display) : -1;
        },
      }),
    ),
  );

  return {
    geometry,
    offset,
    slots,
    windowTop: () => rowTop(geometry(), drawn().start, scrollTop(), offset()),
    scrollHeight: () => scrollHeight(geometry()),
    scrollRowIntoView(display, align) {
      const target = offsetToShow(geometry(), display, offset(), align);
      if (target !== offset()) scrollToOffset(target);
    },
    scrollToStart() {
      setAnchor(null);
      if (scroller) scroller.scrollTop = 0;
      setScrollTop(0);
    },
    onScroll: setScrollTop,
    attach(el) {
      scroller = el;
      const measure = () => setViewportHeight(el.clientHeight);
      measure();
      const observer = new ResizeObserver(measure);
      observer.observe(el);
      onCleanup(() => observer.disconnect());
    },
  };
}
