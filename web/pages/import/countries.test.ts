import { describe, expect, it } from 'vitest';
import { countryOptions, guessCountry, preferredCountry, rememberCountry } from './countries.ts';

function memoryStorage() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
}

describe('default country', () => {
  it('guesses from the browser languages, falling back to the US', () => {
    expect(guessCountry(['es-MX', 'en-US'])).toBe('MX');
    expect(guessCountry(['fr', 'de-AT'])).toBe('AT');
    expect(guessCountry(['en'])).toBe('US');
    expect(guessCountry(['xx-ZZ'])).toBe('US');
  });

  it('prefers the country chosen last time', () => {
    const storage = memoryStorage();
    rememberCountry('ES', storage);
    expect(preferredCountry(storage)).toBe('ES');
  });

  it('ignores a stored value that is not an offered country', () => {
    const storage = memoryStorage();
    storage.setItem('audience-import:default-country', 'Narnia');
    expect(preferredCountry(storage)).toBe(guessCountry());
  });

  it('names every offered country, sorted by name', () => {
    const options = countryOptions('en');
    expect(options.find((o) => o.code === 'ES')?.name).toBe('Spain');
    const names = options.map((o) => o.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });
});
