import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_HEIGHT, maxVirtualOffset, offsetToShow, rowsPerPage, rowTop, rowWindow, scrollHeight, scrollTopFor, virtualOffset, windowSize } from './scaledScroll.ts';

const small = { rowCount: 1000, rowHeight: 32, viewportHeight: 640 };
const million = { rowCount: 1_000_000, rowHeight: 32, viewportHeight: 640 };

describe('scaled scroll', () => {
  it('is the identity while the rows fit under the cap', () => {
    expect(scrollHeight(small)).toBe(32_000);
    for (const top of [0, 1, 123.5, 31_360]) {
      expect(virtualOffset(small, top)).toBe(top);
      expect(scrollTopFor(small, top)).toBe(top);
      expect(rowTop(small, 50, top, virtualOffset(small, top))).toBe(50 * 32);
    }
    expect(virtualOffset(small, 99_999)).toBe(31_360);
  });

  it('caps a million rows below every browser limit and still reaches the last one', () => {
    expect(scrollHeight(million)).toBe(MAX_SCROLL_HEIGHT);
    const bottom = MAX_SCROLL_HEIGHT - million.viewportHeight;
    const offset = virtualOffset(million, bottom);
    expect(offset).toBe(maxVirtualOffset(million));
    const window = rowWindow(million, offset);
    expect(window.end).toBe(1_000_000);
    // The last row is drawn flush with the bottom of the scrolled body.
    expect(rowTop(million, 999_999, bottom, offset) + 32).toBe(MAX_SCROLL_HEIGHT);
  });

  it('maps scrollTop and offset back and forth proportionally', () => {
    const offset = 16_000_000;
    const top = scrollTopFor(million, offset);
    expect(top).toBeGreaterThan(0);
    expect(top).toBeLessThan(MAX_SCROLL_HEIGHT);
    expect(virtualOffset(million, top)).toBeCloseTo(offset, 6);
    expect(virtualOffset(million, -5)).toBe(0);
    expect(scrollTopFor(million, 1e12)).toBe(MAX_SCROLL_HEIGHT - 640);
  });

  it('draws the rows of the window contiguously at the real scroll position', () => {
    const top = 7_654_321;
    const offset = virtualOffset(million, top);
    const { start, end } = rowWindow(million, offset, 0);
    const first = rowTop(million, start, top, offset);
    expect(first).toBeLessThanOrEqual(top);
    expect(first + 32).toBeGreaterThan(top);
    expect(rowTop(million, end - 1, top, offset) - first).toBe((end - 1 - start) * 32);
    expect(rowTop(million, end - 1, top, offset) + 32).toBeGreaterThanOrEqual(top + 640);
  });

  it('windows the visible rows plus overscan, clamped to the data', () => {
    // 20 rows visible, 4 overscan each side, + 1 partly visible row + 1 block row.
    expect(windowSize(small, 4)).toBe(30);
    expect(rowWindow(small, 0, 4)).toEqual({ start: 0, end: 30 });
    expect(rowWindow(small, 3200, 4)).toEqual({ start: 96, end: 126 });
    expect(rowWindow(small, 31_360, 4)).toEqual({ start: 976, end: 1000 });
    expect(rowWindow({ ...small, rowCount: 0 }, 0)).toEqual({ start: 0, end: 0 });
    expect(rowWindow({ ...small, rowCount: 3 }, 0)).toEqual({ start: 0, end: 3 });
  });

  it('moves the window in blocks, always covering the viewport and its overscan', () => {
    const starts = new Set<number>();
    for (let offset = 0; offset <= 31_360; offset += 7) {
      const { start, end } = rowWindow(small, offset, 4, 8);
      expect(start % 8).toBe(0);
      const first = Math.floor(offset / 32);
      const last = Math.ceil((offset + 640) / 32);
      expect(start).toBeLessThanOrEqual(Math.max(0, first - 4));
      expect(end).toBeGreaterThanOrEqual(Math.min(1000, last + 4));
      expect(end - start).toBeLessThanOrEqual(windowSize(small, 4, 8));
      starts.add(start);
    }
    // Far fewer window changes than scroll positions.
    expect(starts.size).toBeLessThan(130);
  });

  it('finds the offset that shows a row, for every alignment', () => {
    expect(offsetToShow(million, 500_000, 0, 'start')).toBe(16_000_000);
    expect(offsetToShow(million, 500_000, 0, 'end')).toBe(16_000_032 - 640);
    expect(offsetToShow(million, 500_000, 0, 'center')).toBe(16_000_000 - 304);
    expect(offsetToShow(million, 999_999, 0, 'start')).toBe(maxVirtualOffset(million));
    expect(offsetToShow(million, 0, 5000, 'end')).toBe(0);
    // nearest: already visible stays put, above scrolls up to it, below scrolls down just enough.
    expect(offsetToShow(million, 105, 3200, 'nearest')).toBe(3200);
    expect(offsetToShow(million, 90, 3200, 'nearest')).toBe(2880);
    expect(offsetToShow(million, 130, 3200, 'nearest')).toBe(131 * 32 - 640);
  });

  it('pages by the fully visible rows less one', () => {
    expect(rowsPerPage(million)).toBe(19);
    expect(rowsPerPage({ ...million, viewportHeight: 10 })).toBe(1);
  });
});
