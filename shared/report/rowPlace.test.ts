import { describe, expect, it } from 'vitest';
import { rowPlace, RowPlace } from './rowPlace.ts';

describe('rowPlace', () => {
  it('names the data row and the line of the file it starts on', () => {
    expect(rowPlace(2, 3)).toBe('row 2 (line 3 of the file)');
    expect(RowPlace(14, 20)).toBe('Row 14 (line 20 of the file)');
  });

  it('names the row alone when the line is unknown (CRM rows)', () => {
    expect(rowPlace(5)).toBe('row 5');
    expect(rowPlace(5, null)).toBe('row 5');
  });
});
