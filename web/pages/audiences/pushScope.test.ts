import { describe, expect, it } from 'vitest';
import { scopeLabel, scopeOfSearch } from './pushScope.ts';

describe('scopeOfSearch', () => {
  it('pushes the whole audience without a search, else what the search shows', () => {
    expect(scopeOfSearch({})).toEqual({ kind: 'audience' });
    expect(scopeOfSearch({ identifier: 'ada@example.com', field: 'city', value: 'Paris' })).toEqual({ kind: 'selection', search: 'ada@example.com' });
    expect(scopeOfSearch({ field: 'city', value: 'Paris' })).toEqual({ kind: 'filter', field: 'city', value: 'Paris' });
    expect(scopeLabel({ kind: 'filter', field: 'city', value: 'Paris' }, () => 'City')).toBe('the members whose City is “Paris”');
  });

  it('names the member a private search found by its id, never by the identifier the tab hashed', () => {
    const digest = 'a'.repeat(64);
    expect(scopeOfSearch({ identifierDigest: digest }, [{ id: '42' }])).toEqual({ kind: 'member', memberId: 42 });
    expect(scopeOfSearch({ identifierDigest: digest }, [])).toBeNull();
  });
});
