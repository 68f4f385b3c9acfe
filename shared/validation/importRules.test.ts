import { describe, expect, it } from 'vitest';
import { allowedLabel, allowedValuesText, checkCell, SENSITIVE_MASK, shownValue } from './importRules.ts';

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

describe('allowed values (a CRM pick list mapped onto the field)', () => {
  const rating = {
    fieldLabel: 'Rating',
    values: [
      { label: 'Hot', code: 'hot' },
      { label: 'Warm', code: '100000001' },
      { label: 'Cold', code: 'Hot' },
    ],
  };

  it('accepts a label with case aside, or a code, and stores the label', () => {
    expect(checkCell(' warm ', { type: 'text', sensitive: false, defaultCountry: 'US', allowed: rating })).toEqual({ ok: true, value: 'Warm' });
    expect(checkCell('100000001', { type: 'text', sensitive: false, defaultCountry: 'US', allowed: rating })).toEqual({ ok: true, value: 'Warm' });
    // A label that equals another value's code means its own value.
    expect(allowedLabel('Hot', rating.values)).toBe('Hot');
    expect(allowedLabel('HOT', rating.values)).toBe('Hot');
  });

  it('rejects any other value, naming the field and the allowed values', () => {
    expect(checkCell('Lukewarm', { type: 'text', sensitive: false, defaultCountry: 'US', allowed: rating })).toEqual({
      ok: false,
      code: 'value_not_allowed',
      message: '"Lukewarm" is not one of the allowed values of Rating: Hot, Warm, Cold.',
    });
  });

  it('checks the type first, and never quotes a sensitive value', () => {
    const codes = { fieldLabel: 'Tier', values: [{ label: '1', code: '1' }] };
    expect(checkCell('one', { type: 'number', sensitive: false, defaultCountry: 'US', allowed: codes })).toMatchObject({ ok: false, code: 'invalid_value' });
    expect(checkCell('2', { type: 'number', sensitive: true, defaultCountry: 'US', allowed: codes })).toEqual({
      ok: false,
      code: 'value_not_allowed',
      message: 'This value is not one of the allowed values of Tier: 1.',
    });
  });

  it('lists long pick lists shortly', () => {
    const many = Array.from({ length: 15 }, (_, i) => ({ label: `V${i + 1}`, code: String(i + 1) }));
    expect(allowedValuesText(many)).toBe('V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12 and 3 more');
    expect(allowedValuesText(many, 2)).toBe('V1, V2 and 13 more');
  });
});
