import examples from 'libphonenumber-js/examples.mobile.json';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { isValidNationalNumber, validInternationalNumber } from './phoneValidity.ts';
import { seededRandom } from '../../test/support/seededRandom.ts';


const random = seededRandom(7);
const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');

/** The number as people write it: digits grouped by spaces, hyphens, dots or a parenthesized area code. */
function spaced(e164: string): string {
  let out = e164.slice(0, 2);
  for (const d of e164.slice(2)) out += (random() < 0.25 ? (['', ' ', '-', '.', ' (', ') '][Math.floor(random() * 6)] as string) : '') + d;
  return out;
}

/** What normalizePhone gets from the library itself. */
function library(text: string, defaultCountry: string): string | null {
  const parsed = parsePhoneNumberFromString(text, defaultCountry as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/** Every country's example mobile number, then variations of its last 1–7 digits: valid and invalid ones near them. */
function nearExamples(perExample: number): string[] {
  const out: string[] = [];
  for (const [country, national] of Object.entries(examples as Record<string, string>)) {
    const prefix = `+${getCountryCallingCode(country as CountryCode)}`;
    out.push(prefix + national);
    for (let i = 0; i < perExample; i++) {
      const keep = Math.max(0, national.length - 1 - Math.floor(random() * 7));
      const length = national.length + Math.floor(random() * 3) - 1;
      out.push(prefix + national.slice(0, keep) + digits(Math.max(0, length - keep)));
    }
  }
  return out;
}

describe('validInternationalNumber gives exactly what libphonenumber gives', () => {
  it('on numbers near every country’s example', () => {
    const texts = nearExamples(60);
    let decided = 0;
    let valid = 0;
    for (const text of texts) {
      const fast = validInternationalNumber(text);
      if (fast === undefined) continue;
      decided++;
      if (fast !== null) valid++;
      expect([text, fast]).toEqual([text, library(text, 'US')]);
      const written = spaced(text);
      expect([written, validInternationalNumber(written)]).toEqual([written, library(written, 'US')]);
    }
    // The shortcut must actually decide most of them, valid and invalid alike.
    expect(decided).toBeGreaterThan(texts.length * 0.8);
    expect(valid).toBeGreaterThan(texts.length * 0.2);
    expect(decided - valid).toBeGreaterThan(texts.length * 0.2);
  });

  it('on every North American area code', () => {
    for (let area = 200; area <= 999; area++) {
      for (const exchange of ['200', '555', '911', String(200 + Math.floor(random() * 800))]) {
        const text = `+1${area}${exchange}${digits(4)}`;
        expect([text, validInternationalNumber(text)]).toEqual([text, library(text, 'US')]);
      }
    }
  });

  it('on random digit strings, whatever the default country', () => {
    const countries = getCountries();
    for (let i = 0; i < 20_000; i++) {
      const text = `+${digits(7 + Math.floor(random() * 9))}`;
      const fast = validInternationalNumber(text);
      if (fast === undefined) continue;
      const country = countries[Math.floor(random() * countries.length)] as string;
      expect([text, country, fast]).toEqual([text, country, library(text, country)]);
    }
  });

  it('leaves every other form to the library', () => {
    for (const text of ['4155552671', '(415) 555-2671', '+1 415 555 2671 ext. 3', '+1\u00a0415 555 2671', '0014155552671', '+0123456789', '+4401234567890', '+44 (0) 20 7946 0958', '+80012345678', '+1 415 55', '+1 415 555 2671 1234 5678']) {
      expect([text, validInternationalNumber(text)]).toEqual([text, undefined]);
    }
  });

  it('decides odd international writings as the library does', () => {
    for (const text of ['+1415555', '+1 415 555', '+(1) 415 555 2671', '+1 415 555 2671)', '+1 ((415)) 555--2671', '+1 415 555 2671.', '+1..415', '+44 7911 123456', '+49 (151) 2345-6789']) {
      const fast = validInternationalNumber(text);
      expect([text, fast === undefined ? library(text, 'US') : fast]).toEqual([text, library(text, 'US')]);
    }
  });
});

describe('isValidNationalNumber gives exactly PhoneNumber#isValid()', () => {
  it('on formatted and national numbers near every example, read in their own and in other countries', () => {
    const countries = getCountries();
    let checked = 0;
    for (const text of nearExamples(20)) {
      const national = text.replace(/^\+\d+?(?=\d{6,}$)/, '');
      for (const [input, country] of [
        [text.replace(/(\d{3})(?=\d)/g, '$1 '), 'US'],
        [national, countries[Math.floor(random() * countries.length)] as string],
        [`0${national}`, countries[Math.floor(random() * countries.length)] as string],
      ] as const) {
        const parsed = parsePhoneNumberFromString(input, country as CountryCode);
        if (!parsed) continue;
        checked++;
        const fast = isValidNationalNumber(parsed.country ?? parsed.countryCallingCode, parsed.nationalNumber);
        expect([input, country, fast]).toEqual([input, country, parsed.isValid()]);
      }
    }
    expect(checked).toBeGreaterThan(5_000);
  });
});
