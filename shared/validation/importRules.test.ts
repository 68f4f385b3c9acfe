import { describe, expect, it } from 'vitest';
import { checkCell, SENSITIVE_MASK, shownValue } from './importRules.ts';

describe('checkCell', () => {
  it('applies the length limit before the type check', () => {
    expect(checkCell('x'.repeat(10_001), { type: 'email', sensitive: false, defaultCountry: 'US' })).toEqual({
      ok: false,
      code: 'invalid_value',
      message: 'The value is 10001 characters long; a cell may hold at most 10000.',
    });
  });

  it('words the type check as a sentence and normalizes valid values', () => {
    expect(checkCell('12ab', { type: 'phone', sensitive: false, defaultCountry: 'FR' })).toEqual({
      ok: false,
      code: 'invalid_phone',
      message: '"12ab" cannot be read as a phone number (default country FR).',
    });
    expect(checkCell(' Ada@Example.COM ', { type: 'email', sensitive: false, defaultCountry: 'US' })).toEqual({ ok: true, value: 'ada@example.com' });
  });

  it('never quotes a sensitive value', () => {
    const verdict = checkCell('my-secret-number', { type: 'phone', sensitive: true, defaultCountry: 'US' });
    expect(verdict).toEqual({ ok: false, code: 'invalid_phone', message: 'Not a valid phone number (contains letters).' });
    expect(shownValue('my-secret-number', true)).toBe(SENSITIVE_MASK);
    expect(shownValue('plain', false)).toBe('plain');
  });
});
