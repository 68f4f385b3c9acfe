import { describe, expect, it } from 'vitest';
import { describeCountrySuggestion, suggestDefaultCountry } from './suggestCountry.ts';
import { normalizePhone } from './normalizeValue.ts';

// Real-format national numbers: Berlin and Munich landlines, German mobiles.
const german = ['030 12345678', '089 1234567', '0151 23456789', '0171 2345678', '(030) 9876543', '0160 98765432'];
const american = ['(415) 555-2671', '212-555-0143', '650 253 0000', '(312) 555-0199'];

describe('suggestDefaultCountry', () => {
  it('suggests the country most national numbers are valid in', () => {
    const suggestion = suggestDefaultCountry(german, 'US');
    expect(suggestion?.country).toBe('DE');
    // The counts are what normalizePhone says, not a guess.
    const readable = german.filter((v) => normalizePhone(v, 'DE').ok).length;
    expect(suggestion).toEqual({ country: 'DE', readable, sampled: german.length, readableInCurrent: german.filter((v) => normalizePhone(v, 'US').ok).length });
    expect(readable).toBeGreaterThan(german.length / 2);
  });

  it('keeps the current country when it reads the numbers as well as any other', () => {
    expect(suggestDefaultCountry(american, 'US')).toBeNull();
    expect(suggestDefaultCountry(german, 'DE')).toBeNull();
  });

  it('ignores numbers written with a calling code and blanks', () => {
    expect(suggestDefaultCountry(['+49 30 12345678', '0049 89 1234567', '', '  '], 'US')).toBeNull();
    expect(suggestDefaultCountry(['+1 415 555 2671', ...german], 'US')?.sampled).toBe(german.length);
  });

  it('suggests nothing when no country reads at least half of the numbers', () => {
    expect(suggestDefaultCountry(['12', 'abc', '999', '030 12345678'], 'US')).toBeNull();
  });

  it('considers only the candidate countries', () => {
    expect(suggestDefaultCountry(german, 'US', ['US', 'FR'])).toBeNull();
  });

  it('says what it found in words', () => {
    const suggestion = suggestDefaultCountry(german, 'US');
    expect(suggestion && describeCountrySuggestion(suggestion, (c) => (c === 'DE' ? 'Germany' : c))).toMatch(/^\d+ of 6 numbers without a country code are valid in Germany$/);
  });
});
