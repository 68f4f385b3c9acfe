import { describe, expect, it } from 'vitest';
import type { CrmField } from '../../../shared/schema/crm.ts';
import { checkFilter, draftValue, formatLocaleNumber, parseLocaleNumber } from './filterValue.ts';

describe('parseLocaleNumber', () => {
  it('reads decimals and groups the way the locale writes them', () => {
    expect(parseLocaleNumber('1,5', 'de-DE')).toEqual({ ok: true, value: '1.5' });
    expect(parseLocaleNumber('1.234,5', 'de-DE')).toEqual({ ok: true, value: '1234.5' });
    expect(parseLocaleNumber('1.5', 'en-US')).toEqual({ ok: true, value: '1.5' });
    expect(parseLocaleNumber('1,234.5', 'en-US')).toEqual({ ok: true, value: '1234.5' });
    expect(parseLocaleNumber(' -20 ', 'en-US')).toEqual({ ok: true, value: '-20' });
    expect(parseLocaleNumber('1 234,5', 'fr-FR')).toEqual({ ok: true, value: '1234.5' });
  });

  it('refuses what would otherwise be read as another number, and says how to write it', () => {
    expect(parseLocaleNumber('1.5', 'de-DE')).toEqual({ ok: false, reason: '“1.5” is not a number; write decimals with “,”, e.g. 1,5' });
    expect(parseLocaleNumber('1,5', 'en-US')).toMatchObject({ ok: false });
    expect(parseLocaleNumber('abc', 'en-US')).toMatchObject({ ok: false });
    expect(parseLocaleNumber('1,5,5', 'de-DE')).toMatchObject({ ok: false });
  });

  it('formats a stored number back for the locale', () => {
    expect(formatLocaleNumber('1.5', 'de-DE')).toBe('1,5');
    expect(formatLocaleNumber('1500', 'de-DE')).toBe('1500');
    expect(formatLocaleNumber('1.5', 'en-US')).toBe('1.5');
  });
});

describe('checkFilter', () => {
  const fields: CrmField[] = [
    { name: 'Amount', label: 'Amount', type: 'currency', filterable: true },
    { name: 'Email', label: 'Email', type: 'email', filterable: true },
  ];
  it('sends numbers in the CRM’s form and text as typed, trimmed', () => {
    expect(checkFilter({ field: 'Amount', operator: 'greater_than', value: '1,5' }, fields, 'Salesforce', 'de-DE')).toEqual({
      state: 'ready',
      filter: { field: 'Amount', operator: 'greater_than', value: '1.5' },
    });
    expect(checkFilter({ field: 'Email', operator: 'contains', value: ' @acme ' }, fields, 'Salesforce', 'de-DE')).toEqual({
      state: 'ready',
      filter: { field: 'Email', operator: 'contains', value: '@acme' },
    });
    expect(checkFilter({ field: 'Email', operator: 'is_empty', value: 'left over' }, fields, 'Salesforce', 'en')).toEqual({
      state: 'ready',
      filter: { field: 'Email', operator: 'is_empty', value: '' },
    });
  });

  it('sends a day with the user’s time zone, so it means their whole day', () => {
    const created: CrmField = { name: 'CreatedDate', label: 'Created Date', type: 'datetime', filterable: true };
    expect(checkFilter({ field: 'CreatedDate', operator: 'equals', value: '2024-01-02' }, [created], 'Salesforce', 'de-DE', 'Europe/Berlin')).toEqual({
      state: 'ready',
      filter: { field: 'CreatedDate', operator: 'equals', value: '2024-01-02', timeZone: 'Europe/Berlin' },
    });
    expect(checkFilter({ field: 'Email', operator: 'equals', value: 'a@b.c' }, fields, 'Salesforce', 'de-DE', 'Europe/Berlin')).toEqual({
      state: 'ready',
      filter: { field: 'Email', operator: 'equals', value: 'a@b.c' },
    });
  });

  it('flags a field the CRM no longer has and a value that is not a number, in its own words', () => {
    expect(checkFilter({ field: 'Fax', operator: 'equals', value: '1' }, fields, 'Salesforce', 'en')).toEqual({
      state: 'unknown_field',
      message: 'Salesforce no longer has the field Fax: choose another field or remove this filter.',
    });
    const notFilterable: CrmField = { name: 'Notes', label: 'Notes', type: 'textarea', filterable: false };
    expect(checkFilter({ field: 'Notes', operator: 'contains', value: 'x' }, [...fields, notFilterable], 'Salesforce', 'en')).toEqual({
      state: 'unknown_field',
      message: 'Salesforce cannot filter on Notes: choose another field or remove this filter.',
    });
    expect(checkFilter({ field: 'Amount', operator: 'equals', value: '1.5' }, fields, 'Salesforce', 'de-DE')).toMatchObject({
      state: 'invalid',
      message: expect.stringMatching(/^Amount: “1\.5” is not a number/),
    });
    expect(checkFilter({ field: 'Amount', operator: 'equals', value: '' }, fields, 'Salesforce', 'en')).toEqual({ state: 'incomplete' });
    expect(checkFilter({ field: '', operator: 'equals', value: 'x' }, fields, 'Salesforce', 'en')).toEqual({ state: 'incomplete' });
  });

  it('shows a saved number in the user’s way of writing it', () => {
    expect(draftValue({ field: 'Amount', operator: 'equals', value: '1.5' }, fields, 'de-DE')).toBe('1,5');
    expect(draftValue({ field: 'Email', operator: 'equals', value: '1.5' }, fields, 'de-DE')).toBe('1.5');
  });
});
