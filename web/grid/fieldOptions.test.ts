import { describe, expect, it } from 'vitest';
import { BUILT_IN_FIELDS } from '../../shared/fields/builtInFields.ts';
import type { Field } from '../../shared/schema/fields.ts';
import { fieldOptions } from './fieldOptions.ts';

const fields: Field[] = [...BUILT_IN_FIELDS, { key: 'loyalty_tier', label: 'Loyalty tier', type: 'text', builtIn: false }];
const nobody = () => null;
const labels = (query: string) =>
  fieldOptions(fields, query, nobody).map((o) => (o.kind === 'skip' ? 'skip' : o.kind === 'create' ? `create:${o.label}` : o.field.label));

describe('fieldOptions', () => {
  it('lists skip and every field when nothing is typed', () => {
    const all = labels('');
    expect(all[0]).toBe('skip');
    expect(all).toHaveLength(fields.length + 1);
  });

  it('puts label prefix matches first and offers to create what was typed', () => {
    expect(labels('ema')).toEqual(['Email', 'Professional email', 'create:ema']);
    expect(labels('  Loyalty   points ')).toEqual(['create:Loyalty points']);
  });

  it('matches keys and ignores accents and case', () => {
    expect(labels('JOB_TI')).toContain('Job title');
    expect(labels('Pôstal')).toEqual(['Postal code', 'create:Pôstal']);
  });

  it('does not offer to create a field that exists', () => {
    expect(labels('loyalty tier')).toEqual(['Loyalty tier']);
  });

  it('finds "Don\'t import" by typing skip or don', () => {
    expect(labels('skip')[0]).toBe('skip');
    expect(labels("don't")[0]).toBe('skip');
  });

  it('says which column already feeds a field', () => {
    const options = fieldOptions(fields, 'mobile', (key) => (key === 'mobile' ? 'Cell phone' : null));
    expect(options[0]).toMatchObject({ kind: 'field', usedBy: 'Cell phone' });
  });
});
