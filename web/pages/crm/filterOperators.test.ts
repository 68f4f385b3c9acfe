import { describe, expect, it } from 'vitest';
import type { CrmField } from '../../../shared/schema/crm.ts';
import { filterComplete, operatorsFor, valueInputFor } from './filterOperators.ts';

const field = (type: string, options?: CrmField['options']): CrmField => ({ name: 'f', label: 'F', type, filterable: true, ...(options ? { options } : {}) });

describe('operatorsFor', () => {
  it('offers text comparisons for text, and before/after for dates', () => {
    expect(operatorsFor(field('email')).map((o) => o.operator)).toEqual(['equals', 'not_equals', 'contains', 'starts_with', 'is_empty', 'is_not_empty']);
    expect(operatorsFor(field('datetime')).slice(0, 3).map((o) => o.label)).toEqual(['is after', 'is before', 'is on']);
    expect(operatorsFor(field('currency')).map((o) => o.operator)).toContain('greater_than');
    expect(operatorsFor(field('boolean')).map((o) => o.operator)).toEqual(['equals']);
  });

  it('treats an unknown type with options as a choice, without one as text', () => {
    expect(operatorsFor(field('weird', [{ value: '1', label: 'One' }])).map((o) => o.operator)).toEqual(['equals', 'not_equals', 'is_empty', 'is_not_empty']);
    expect(operatorsFor(field('weird')).map((o) => o.operator)).toContain('contains');
  });
});

describe('valueInputFor', () => {
  it('asks for no value on emptiness tests, a list on choices and yes/no, a date on dates', () => {
    const options = [{ value: 'Web', label: 'Web' }];
    expect(valueInputFor(field('string'), 'is_empty')).toEqual({ kind: 'none' });
    expect(valueInputFor(field('picklist', options), 'equals')).toEqual({ kind: 'choice', options });
    expect(valueInputFor(field('boolean'), 'equals')).toMatchObject({ kind: 'choice', options: [{ value: 'true' }, { value: 'false' }] });
    expect(valueInputFor(field('date'), 'less_than')).toEqual({ kind: 'date' });
    expect(valueInputFor(field('int'), 'equals')).toEqual({ kind: 'number' });
  });

  it('calls a row complete once it has a field and, when needed, a value', () => {
    expect(filterComplete({ field: 'Email', operator: 'is_not_empty', value: '' }, field('email'))).toBe(true);
    expect(filterComplete({ field: 'Email', operator: 'contains', value: ' ' }, field('email'))).toBe(false);
    expect(filterComplete({ field: '', operator: 'is_empty', value: '' }, undefined)).toBe(false);
  });
});
