import { describe, expect, it } from 'vitest';
import { describeChanges, valueText } from './changeDiff.ts';

describe('describeChanges', () => {
  it('says which attributes were added and removed', () => {
    expect(describeChanges({ attributes: ['Email', 'Fax'] }, { attributes: ['Email', 'Phone'] })).toEqual(['attributes: added Phone; removed Fax']);
  });

  it('words a changed setting as before → after', () => {
    expect(describeChanges({ cycle: 'hourly', name: 'Leads' }, { cycle: 'daily', name: 'Leads' })).toEqual(['cycle: hourly → daily']);
  });

  it('names nested settings by their path and leaves unchanged ones out', () => {
    const before = { mapping: { identifier: 'Email', onMatch: 'update' }, paused: false };
    const after = { mapping: { identifier: 'Email', onMatch: 'reject' }, paused: true };
    expect(describeChanges(before, after)).toEqual(['mapping.onMatch: update → reject', 'paused: no → yes']);
  });

  it('words mapping columns and filters as people read them', () => {
    const before = { columns: [{ column: 'Email', target: 'email', sensitive: false }], filters: [] };
    const after = {
      columns: [
        { column: 'Email', target: 'email', sensitive: true },
        { column: 'Fax', target: null, sensitive: false },
      ],
      filters: [{ field: 'Country', operator: 'not_equals', value: 'DE' }],
    };
    expect(describeChanges(before, after)).toEqual([
      'columns: added Email → email (sensitive), Fax → not imported; removed Email → email',
      'filters: added Country not equals DE',
    ]);
  });

  it('lists what a created subject was made with, and what a removed one was', () => {
    expect(describeChanges(null, { name: 'Script', role: 'viewer' })).toEqual(['name: Script', 'role: viewer']);
    expect(describeChanges({ role: 'marketer' }, null)).toEqual(['was role: marketer']);
  });

  it('says nothing when nothing changed, and "reordered" for the same items in another order', () => {
    expect(describeChanges({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
    expect(describeChanges({ a: ['x', 'y'] }, { a: ['y', 'x'] })).toEqual(['a: reordered']);
  });

  it('shows a field that appears or disappears as (none) on the missing side', () => {
    expect(describeChanges({ status: 'enabled' }, { status: 'disabled', reason: 'access removed' })).toEqual([
      'status: enabled → disabled',
      'reason: (none) → access removed',
    ]);
  });

  it('words empty and boolean values', () => {
    expect(valueText('')).toBe('(none)');
    expect(valueText([])).toBe('(none)');
    expect(valueText(true)).toBe('yes');
  });
});
