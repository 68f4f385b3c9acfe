import { describe, expect, it } from 'vitest';
import { maskedHint } from './maskedHint.ts';

describe('maskedHint', () => {
  it.each([
    ['eva-at-example.com', 'missing @'],
    ['a@b@example.com', '2 @ signs'],
    ['@example.com', 'nothing before @'],
    ['eva@', 'nothing after @'],
    ['eva@example', 'no dot after @'],
    ['eva@example.', 'misplaced dot after @'],
    ['eva @example.com', 'contains a space'],
  ])('email %j → %j', (value, hint) => {
    expect(maskedHint('email', value)).toBe(hint);
  });

  it('counts a phone number’s digits and notices letters', () => {
    expect(maskedHint('phone', '555-12')).toBe('5 digits');
    expect(maskedHint('phone', 'call me')).toBe('contains letters');
  });

  it('never repeats any part of the value', () => {
    for (const value of ['secret-at-example.com', 'secret@@x.io', '+1 4155 55']) {
      const hint = maskedHint(value.includes('@') || value.includes('-at-') ? 'email' : 'phone', value) ?? '';
      expect(hint).not.toMatch(/secret|example|4155/);
    }
  });

  it('says nothing for other types or blanks', () => {
    expect(maskedHint('text', 'x')).toBeNull();
    expect(maskedHint('email', '  ')).toBeNull();
  });
});
