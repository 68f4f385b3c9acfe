import { describe, expect, it } from 'vitest';
import { scopeLabel, scopeOfSearch } from './pushScope.ts';

describe('scopeOfSearch', () => {
  it('pushes the whole audience without a search, else what the search shows', () => {
    expect(scopeOfSearch({})).toEqual({ kind: 'audience' });
    expect(scopeOfSearch({ identifier: 'ada@example.com', field: 'city', value: 'Paris' })).toEqual({ kind: 'selection', search: 'ada@example.com' });
    expect(scopeOfSearch({ field: 'city', value: 'Paris' })).toEqual({ kind: 'filter', field: 'city', value: 'Paris' });
    expect(scopeLabel({ kind: 'filter', field: 'city', value: 'Paris' }, () => 'City')).toBe('the members whose City is “Paris”');
  });
});
