import { normalizePhone } from './normalizeValue.ts';

/**
 * Countries offered for phone numbers written without an international prefix: where lists commonly come from.
 * Ordered roughly by how many marketing lists come from there, because a tie goes to the earlier one: German
 * numbers are valid Austrian numbers too, and a list that fits both is far more often German.
 */
export const PHONE_COUNTRIES = [
  'US', 'GB', 'DE', 'FR', 'IN', 'BR', 'CA', 'AU', 'ES', 'IT', 'MX', 'NL', 'JP', 'CN', 'KR', 'PL', 'SE', 'CH', 'BE', 'AT',
  'TR', 'ID', 'AR', 'CO', 'CL', 'PE', 'ZA', 'NG', 'KE', 'EG', 'MA', 'SA', 'IL', 'PK', 'PH', 'TH', 'VN', 'MY', 'SG', 'HK',
  'TW', 'NZ', 'IE', 'PT', 'DK', 'NO', 'FI', 'CZ', 'HU', 'RO', 'GR', 'UA',
] as const;

export type CountrySuggestion = {
  country: string;
  /** National numbers (no + or 00) in the sample that read as valid numbers of `country`… */
  readable: number;
  /** …of this many looked at… */
  sampled: number;
  /** …against this many in the current default country. */
  readableInCurrent: number;
};

/** Enough to tell countries apart; 52 countries × 60 numbers stays around 30 ms. */
const SAMPLE_LIMIT = 60;

const isInternational = (value: string) => value.startsWith('+') || value.startsWith('00');

/**
 * The default country the phone numbers themselves point to: the one in which most of the national numbers
 * (written without a calling code) are valid. Null when there are no national numbers, or when no country reads
 * more of them than `current` does and at least half of them — the current choice stands. Ties keep `current`,
 * then follow the order of `candidates`. Pure.
 */
export function suggestDefaultCountry(
  values: Iterable<string>,
  current: string,
  candidates: readonly string[] = PHONE_COUNTRIES,
): CountrySuggestion | null {
  const national: string[] = [];
  for (const raw of values) {
    const value = raw.trim();
    if (!value || isInternational(value)) continue;
    national.push(value);
    if (national.length >= SAMPLE_LIMIT) break;
  }
  if (national.length === 0) return null;
  const readableIn = (country: string) => national.reduce((n, v) => n + (normalizePhone(v, country).ok ? 1 : 0), 0);
  const readableInCurrent = readableIn(current);
  let best = { country: current, readable: readableInCurrent };
  for (const country of candidates) {
    if (country === current) continue;
    const readable = readableIn(country);
    if (readable > best.readable) best = { country, readable };
  }
  if (best.country === current || best.readable * 2 < national.length) return null;
  return { country: best.country, readable: best.readable, sampled: national.length, readableInCurrent };
}

/** The suggestion in words, for the badge beside a phone column: "38 of 40 numbers read as DE numbers". */
export function describeCountrySuggestion(s: CountrySuggestion, countryName: (code: string) => string = (c) => c): string {
  return `${s.readable} of ${s.sampled} ${s.sampled === 1 ? 'number' : 'numbers'} without a country code ${s.readable === 1 ? 'is' : 'are'} valid in ${countryName(s.country)}`;
}
