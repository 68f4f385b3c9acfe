import { PHONE_COUNTRIES } from '../../../shared/normalize/suggestCountry.ts';

// Countries offered for phone numbers written without an international prefix. A short list of where lists
// commonly come from keeps the select usable; the browser names them in the user's language.
const CODES = PHONE_COUNTRIES;

export function countryOptions(locale?: string): { code: string; name: string }[] {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(locale ? [locale] : undefined, { type: 'region' });
  } catch {
    names = null;
  }
  return CODES.map((code) => ({ code, name: names?.of(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The region of the browser's language ("es-MX" → MX) when we know it, else the US. */
export function guessCountry(languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages): string {
  for (const tag of languages) {
    const region = /^[a-z]{2,3}-([A-Z]{2})\b/i.exec(tag)?.[1]?.toUpperCase();
    if (region && (CODES as readonly string[]).includes(region)) return region;
  }
  return 'US';
}

const COUNTRY_KEY = 'audience-import:default-country';

/** The country chosen last time, else one guessed from the browser: lists of one marketer tend to share it. */
export function preferredCountry(storage: Pick<Storage, 'getItem'> = localStorage): string {
  try {
    const saved = storage.getItem(COUNTRY_KEY);
    if (saved && (CODES as readonly string[]).includes(saved)) return saved;
  } catch {
    /* storage disabled */
  }
  return guessCountry();
}

export function rememberCountry(code: string, storage: Pick<Storage, 'setItem'> = localStorage): void {
  try {
    storage.setItem(COUNTRY_KEY, code);
  } catch {
    /* storage disabled: next time the guess is used */
  }
}
