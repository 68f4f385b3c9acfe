import { describe, expect, it } from 'vitest';
import { reconcileFilters, reconcileStart } from './reconcilePlan.ts';

describe('reconcileStart', () => {
  const startedAt = '2026-11-29T12:00:00.000Z';
  it('sweeps right after a full run, whatever the mode', () => {
    expect(reconcileStart({ changedSince: null, pullMode: 'query', reconciledAt: '2026-11-29T11:00:00.000Z', startedAt })).toBe('sweep');
    expect(reconcileStart({ changedSince: null, pullMode: 'track_changes', reconciledAt: null, startedAt })).toBe('sweep');
  });
  it('trusts a change feed on incremental runs', () => {
    expect(reconcileStart({ changedSince: '2026-11-29T11:00:00.000Z', pullMode: 'track_changes', reconciledAt: null, startedAt })).toBe('skip');
  });
  it('pulls the ids once a day on incremental runs by query', () => {
    const changedSince = '2026-11-29T11:55:00.000Z';
    expect(reconcileStart({ changedSince, pullMode: 'query', reconciledAt: null, startedAt })).toBe('ids');
    expect(reconcileStart({ changedSince, pullMode: 'query', reconciledAt: '2026-11-28T12:00:00.000Z', startedAt })).toBe('ids');
    expect(reconcileStart({ changedSince, pullMode: 'query', reconciledAt: '2026-11-28T12:00:01.000Z', startedAt })).toBe('skip');
  });
});

describe('reconcileFilters', () => {
  it('keeps the sync filters and asks for the flag to be true', () => {
    const filters = [{ field: 'LastName', operator: 'equals' as const, value: 'Synced' }];
    expect(reconcileFilters({ filters, flagField: null })).toEqual(filters);
    expect(reconcileFilters({ filters, flagField: 'Sync__c' })).toEqual([...filters, { field: 'Sync__c', operator: 'equals', value: 'true' }]);
  });
});
