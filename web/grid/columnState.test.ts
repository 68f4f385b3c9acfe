import { describe, expect, it } from 'vitest';
import { columnsByTarget, type ColumnState, withSensitive, withSuggestionConfirmed, withTarget } from './columnState.ts';

const columns: ColumnState[] = [
  { header: 'E-mail', target: 'email', suggested: true, sensitive: false },
  { header: 'Work mail', target: null, suggested: false, sensitive: false },
  { header: 'Phone', target: 'phone', suggested: false, sensitive: true },
];

describe('column state', () => {
  it('maps a column and confirms it', () => {
    const next = withTarget(columns, 1, 'professional_email');
    expect(next[1]).toEqual({ header: 'Work mail', target: 'professional_email', suggested: false, sensitive: false });
    expect(next[0]).toBe(columns[0]);
  });

  it('moves a field that another column had', () => {
    const next = withTarget(columns, 1, 'email');
    expect(next.map((c) => c.target)).toEqual([null, 'email', 'phone']);
    expect(next[0]?.suggested).toBe(false);
  });

  it('skips a column', () => {
    expect(withTarget(columns, 2, null)[2]).toMatchObject({ target: null, sensitive: true });
  });

  it('confirms a suggestion and toggles sensitivity without touching the rest', () => {
    expect(withSuggestionConfirmed(columns, 0)[0]).toMatchObject({ target: 'email', suggested: false });
    const sensitive = withSensitive(columns, 0, true);
    expect(sensitive.map((c) => c.sensitive)).toEqual([true, false, true]);
    expect(columns[0]?.sensitive).toBe(false);
  });

  it('indexes columns by target', () => {
    expect([...columnsByTarget(columns)]).toEqual([
      ['email', 0],
      ['phone', 2],
    ]);
  });
});
