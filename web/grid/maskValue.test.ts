import { describe, expect, it } from 'vitest';
import { MASK, maskValue } from './maskValue.ts';

describe('maskValue', () => {
  it('shows at most the last two characters', () => {
    expect(maskValue('jane.doe@example.com')).toBe(`${MASK}om`);
    expect(maskValue('+33 6 12 34 56 78 ')).toBe(`${MASK}78`);
  });

  it('hides short values entirely and leaves empty cells empty', () => {
    expect(maskValue('1234')).toBe(MASK);
    expect(maskValue('ab')).toBe(MASK);
    expect(maskValue('')).toBe('');
    expect(maskValue('   ')).toBe('');
  });
});
