import { describe, expect, it } from 'vitest';
import { uniqueHeaders } from './uniqueHeaders.ts';

describe('uniqueHeaders', () => {
  it('keeps distinct names, trimmed and with inner spaces collapsed', () => {
    expect(uniqueHeaders([' Email ', 'First   name', 'Phone'])).toEqual(['Email', 'First name', 'Phone']);
  });

  it('names blank headers by their 1-based position', () => {
    expect(uniqueHeaders(['Email', '', '  '])).toEqual(['Email', 'Column 2', 'Column 3']);
  });

  it('numbers repeats from 2, case-insensitively', () => {
    expect(uniqueHeaders(['Email', 'Email', 'EMAIL', 'Name'])).toEqual(['Email', 'Email (2)', 'EMAIL (3)', 'Name']);
  });

  it('never gives a generated name that another column really has', () => {
    expect(uniqueHeaders(['Email', 'Email', 'Email (2)'])).toEqual(['Email', 'Email (3)', 'Email (2)']);
    expect(uniqueHeaders(['', 'Column 1'])).toEqual(['Column 1', 'Column 1 (2)']);
  });

  it('returns names that are all distinct ignoring case', () => {
    const names = uniqueHeaders(['a', 'A', 'a (2)', '', 'Column 5', 'a', 'A (3)']);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });
});
