import { describe, expect, it } from 'vitest';
import type { CrmField, CrmFilter } from '../../../shared/schema/crm.ts';
import { CrmError } from '../connector.ts';
import { buildODataFilter, escapeLikeWildcards, odataString } from './odataFilter.ts';

/** A filterable column of the contact table, as describe gives it. */
const column = (name: string, label: string, type: string, extra: Partial<CrmField> = {}): CrmField => ({ name, label, type, filterable: true, ...extra });

const fields: CrmField[] = [
  column('lastname', 'Last Name', 'string'),
  column('emailaddress1', 'Email', 'email'),
  column('numberofchildren', 'Children', 'integer'),
  column('annualincome', 'Income', 'money'),
  column('createdon', 'Created On', 'datetime'),
  column('donotemail', 'No Email', 'boolean'),
  column('parentcustomerid', 'Company', 'customer'),
  column('gendercode', 'Gender', 'picklist', {
    options: [
      { value: '1', label: 'Male' },
      { value: '2', label: 'Female' },
    ],
  }),
  column('new_interests', 'Interests', 'multiselectpicklist', { filterable: false }),
];

const f = (field: string, operator: CrmFilter['operator'], value = ''): CrmFilter => ({ field, operator, value });

describe('buildODataFilter', () => {
  it('is null without filters and ANDs conditions', () => {
    expect(buildODataFilter([], fields)).toBeNull();
    expect(buildODataFilter([f('lastname', 'equals', 'Smith'), f('numberofchildren', 'greater_than', '2')], fields)).toBe(
      "lastname eq 'Smith' and numberofchildren gt 2",
    );
  });

  it('doubles single quotes, so a value cannot close its literal', () => {
    expect(buildODataFilter([f('lastname', 'equals', "O'Brien")], fields)).toBe("lastname eq 'O''Brien'");
    expect(buildODataFilter([f('lastname', 'equals', "x' or lastname ne 'y")], fields)).toBe("lastname eq 'x'' or lastname ne ''y'");
  });

  it('escapes LIKE wildcards in contains and startswith, not in eq', () => {
    expect(buildODataFilter([f('lastname', 'contains', "50%_off[1]'s")], fields)).toBe("contains(lastname,'50[%][_]off[[]1]''s')");
    expect(buildODataFilter([f('emailaddress1', 'starts_with', 'a_b')], fields)).toBe("startswith(emailaddress1,'a[_]b')");
    expect(buildODataFilter([f('lastname', 'not_equals', '50%')], fields)).toBe("lastname ne '50%'");
  });

  it('types literals by column: numbers, booleans, choices by label, lookups by id, dates as ranges', () => {
    expect(buildODataFilter([f('annualincome', 'less_than', '1000.50')], fields)).toBe('annualincome lt 1000.50');
    expect(buildODataFilter([f('donotemail', 'equals', 'Yes')], fields)).toBe('donotemail eq true');
    expect(buildODataFilter([f('gendercode', 'equals', 'female')], fields)).toBe('gendercode eq 2');
    expect(buildODataFilter([f('gendercode', 'not_equals', '1')], fields)).toBe('gendercode ne 1');
    expect(buildODataFilter([f('parentcustomerid', 'equals', '{4624EFF7-53D3-ED11-A7C7-000D3A993550}')], fields)).toBe(
      '_parentcustomerid_value eq 4624eff7-53d3-ed11-a7c7-000d3a993550',
    );
    expect(buildODataFilter([f('createdon', 'equals', '2024-02-29')], fields)).toBe(
      '(createdon ge 2024-02-29T00:00:00Z and createdon lt 2024-03-01T00:00:00Z)',
    );
    expect(buildODataFilter([f('createdon', 'greater_than', '2024-01-01T10:00:00Z')], fields)).toBe('createdon gt 2024-01-01T10:00:00Z');
  });

  it('tests emptiness with null, on the lookup value property for lookups', () => {
    expect(buildODataFilter([f('emailaddress1', 'is_empty')], fields)).toBe('emailaddress1 eq null');
    expect(buildODataFilter([f('parentcustomerid', 'is_not_empty')], fields)).toBe('_parentcustomerid_value ne null');
  });

  it.each(
    [
      { filter: f('nosuchcolumn', 'equals', 'x'), reason: 'no such column' },
      { filter: f('numberofchildren', 'equals', '2 or 1 eq 1'), reason: 'not a number' },
      { filter: f('numberofchildren', 'contains', '2'), reason: 'text columns only' },
      { filter: f('gendercode', 'equals', 'Other'), reason: 'not one of its choices' },
      { filter: f('donotemail', 'equals', 'maybe'), reason: 'not yes or no' },
      { filter: f('createdon', 'greater_than', 'yesterday'), reason: 'not a date' },
      { filter: f('parentcustomerid', 'equals', 'Contoso'), reason: 'not a record id' },
      { filter: f('gendercode', 'greater_than', '1'), reason: 'does not apply' },
      { filter: f('new_interests', 'equals', 'Sports'), reason: 'cannot be filtered' },
    ],
  )('refuses $filter.field ($filter.operator)', ({ filter, reason }) => {
    let error: unknown;
    try {
      buildODataFilter([filter], fields);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CrmError);
    expect((error as CrmError).message).toContain(reason);
    expect((error as CrmError).status).toBe(400);
  });
});

describe('literals', () => {
  it('quotes strings and brackets wildcards', () => {
    expect(odataString("it's")).toBe("'it''s'");
    expect(escapeLikeWildcards('100%_[x]')).toBe('100[%][_][[]x]');
  });
});

describe("a day on a date-and-time column is the whole day in the user's time zone", () => {
  const day = (operator: CrmFilter['operator'], timeZone?: string) =>
    buildODataFilter([{ field: 'createdon', operator, value: '2024-01-02', ...(timeZone ? { timeZone } : {}) }], fields);

  it.each<[CrmFilter['operator'], string]>([
    ['equals', '(createdon ge 2024-01-02T05:00:00Z and createdon lt 2024-01-03T05:00:00Z)'],
    ['not_equals', '(createdon lt 2024-01-02T05:00:00Z or createdon ge 2024-01-03T05:00:00Z or createdon eq null)'],
    ['greater_than', 'createdon ge 2024-01-03T05:00:00Z'],
    ['less_than', 'createdon lt 2024-01-02T05:00:00Z'],
  ])('%s a day in New York', (operator, expected) => {
    expect(day(operator, 'America/New_York')).toBe(expected);
  });

  it('is the UTC day without a time zone', () => {
    expect(day('equals')).toBe('(createdon ge 2024-01-02T00:00:00Z and createdon lt 2024-01-03T00:00:00Z)');
  });
});
