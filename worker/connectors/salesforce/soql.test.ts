import { describe, expect, it } from 'vitest';
import type { CrmField, CrmFilter } from '../../../shared/schema/crm.ts';
import { CrmError } from '../connector.ts';
import { buildCount, buildSelect, soqlCondition, soqlLikePattern, soqlString, type ObjectFields } from './soql.ts';

const field = (name: string, type: string, filterable = true): CrmField => ({ name, label: name, type, filterable });
const fields: ObjectFields = new Map(
  [
    field('Id', 'id'),
    field('LastName', 'string'),
    field('Email', 'email'),
    field('Description', 'textarea', false),
    field('AccountId', 'reference'),
    field('NumberOfEmployees', 'int'),
    field('AnnualRevenue', 'currency'),
    field('HasOptedOutOfEmail', 'boolean'),
    field('Birthdate', 'date'),
    field('CreatedDate', 'datetime'),
    field('LeadSource', 'picklist'),
    field('Interests__c', 'multipicklist'),
    field('Photo__c', 'time'),
  ].map((f) => [f.name, f]),
);
const f = (fieldName: string, operator: CrmFilter['operator'], value = ''): CrmFilter => ({ field: fieldName, operator, value });
const cond = (filter: CrmFilter) => soqlCondition(fields.get(filter.field) as CrmField, filter);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
};

describe('SOQL literals', () => {
  it('escapes quotes, backslashes and control characters in strings', () => {
    expect(soqlString("O'Brien")).toBe("'O\\'Brien'");
    expect(soqlString('back\\slash')).toBe("'back\\\\slash'");
    expect(soqlString('say "hi"\nnext\tline\r')).toBe("'say \\\"hi\\\"\\nnext\\tline\\r'");
    // The classic injection: the quote stays inside the literal.
    expect(soqlString("x' OR Name != '")).toBe("'x\\' OR Name != \\''");
  });

  it('makes LIKE wildcards typed by the user match themselves', () => {
    expect(soqlLikePattern('100%_sure', 'contains')).toBe("'%100\\%\\_sure%'");
    expect(soqlLikePattern("O'Br", 'starts_with')).toBe("'O\\'Br%'");
    // A backslash is doubled first, so the escape added for % is not itself escaped.
    expect(soqlLikePattern('a\\%', 'starts_with')).toBe("'a\\\\\\%%'");
  });
});

describe('soqlCondition', () => {
  it('writes text operators as quoted, escaped comparisons', () => {
    expect(cond(f('LastName', 'equals', "O'Brien"))).toBe("LastName = 'O\\'Brien'");
    expect(cond(f('LastName', 'not_equals', 'Smith'))).toBe("LastName != 'Smith'");
    expect(cond(f('Email', 'contains', '_test%'))).toBe("Email LIKE '%\\_test\\%%'");
    expect(cond(f('LastName', 'starts_with', 'Mc'))).toBe("LastName LIKE 'Mc%'");
    expect(cond(f('LastName', 'greater_than', 'M'))).toBe("LastName > 'M'");
    expect(cond(f('LeadSource', 'equals', 'Web'))).toBe("LeadSource = 'Web'");
  });

  it('writes empty checks as null comparisons whatever the value', () => {
    expect(cond(f('Email', 'is_empty', 'ignored'))).toBe('Email = null');
    expect(cond(f('NumberOfEmployees', 'is_not_empty'))).toBe('NumberOfEmployees != null');
  });

  it('writes numbers, booleans and dates unquoted after checking their grammar', () => {
    expect(cond(f('NumberOfEmployees', 'greater_than', ' 250 '))).toBe('NumberOfEmployees > 250');
    expect(cond(f('AnnualRevenue', 'less_than', '-1.5'))).toBe('AnnualRevenue < -1.5');
    expect(cond(f('HasOptedOutOfEmail', 'equals', 'TRUE'))).toBe('HasOptedOutOfEmail = true');
    expect(cond(f('Birthdate', 'less_than', '1990-02-28'))).toBe('Birthdate < 1990-02-28');
    // After a day = from the next midnight (UTC without a time zone; see the day-range tests below).
    expect(cond(f('CreatedDate', 'greater_than', '2024-01-31'))).toBe('CreatedDate >= 2024-02-01T00:00:00Z');
    expect(cond(f('CreatedDate', 'less_than', '2024-01-31T10:00:00.000+02:00'))).toBe('CreatedDate < 2024-01-31T10:00:00.000+02:00');
    expect(cond(f('AccountId', 'equals', '001D000000IRFmaIAH'))).toBe("AccountId = '001D000000IRFmaIAH'");
  });

  it('uses INCLUDES / EXCLUDES for multi-select picklists', () => {
    expect(cond(f('Interests__c', 'contains', "Rock'n'roll"))).toBe("Interests__c INCLUDES ('Rock\\'n\\'roll')");
    expect(cond(f('Interests__c', 'not_equals', 'Jazz'))).toBe("Interests__c EXCLUDES ('Jazz')");
  });

  it.each([
    [f('NumberOfEmployees', 'equals', '1 OR Id != null'), 'is not a number'],
    [f('NumberOfEmployees', 'contains', '5'), 'works on text fields only'],
    [f('HasOptedOutOfEmail', 'equals', 'yes please'), 'is not true or false'],
    [f('HasOptedOutOfEmail', 'greater_than', 'true'), 'cannot be compared'],
    [f('Birthdate', 'equals', '2024-02-30'), 'is not a date'],
    [f('Birthdate', 'equals', "2024-01-01' OR Name != '"), 'is not a date'],
    [f('CreatedDate', 'equals', 'yesterday'), 'is not a date or date-time'],
    [f('AccountId', 'equals', "' OR Id != '"), 'is not a Salesforce record id'],
    [f('Description', 'contains', 'x'), 'cannot filter on this field'],
    [f('Photo__c', 'equals', '10:00'), 'cannot be filtered'],
    [f('LastName', 'equals', ''), 'use "is empty"'],
  ])('refuses %j (%s)', (filter, reason) => {
    const e = refusal(() => cond(filter));
    expect(e).toBeInstanceOf(CrmError);
    expect((e as CrmError).status).toBe(400);
    expect((e as CrmError).message).toContain(filter.field);
    expect((e as CrmError).message).toContain(reason);
  });
});

describe('buildSelect / buildCount', () => {
  it('selects described fields with ANDed conditions and a limit', () => {
    expect(
      buildSelect({
        object: 'Contact',
        fields,
        select: ['Id', 'LastName', 'Email', 'LastName'],
        filters: [f('LastName', 'equals', "O'Brien"), f('Email', 'is_not_empty')],
        limit: 20,
      }),
    ).toBe("SELECT Id, LastName, Email FROM Contact WHERE LastName = 'O\\'Brien' AND Email != null LIMIT 20");
    expect(buildCount({ object: 'Contact', fields, filters: [] })).toBe('SELECT COUNT() FROM Contact');
  });

  it('refuses fields, filter fields and object names that describe does not know', () => {
    const unknownField = refusal(() => buildSelect({ object: 'Contact', fields, select: ['Id', 'Password__c'], filters: [] }));
    expect((unknownField as CrmError).message).toBe('Field "Password__c" is not a field of this object');
    const injected = refusal(() => buildSelect({ object: 'Contact', fields, select: ['Id FROM User --'], filters: [] }));
    expect(injected).toBeInstanceOf(CrmError);
    const unknownFilter = refusal(() => buildCount({ object: 'Contact', fields, filters: [f('Secret__c', 'equals', 'x')] }));
    expect((unknownFilter as CrmError).vendorCode).toBe('INVALID_FIELD');
    const badObject = refusal(() => buildCount({ object: 'Contact WHERE Id != null', fields, filters: [] }));
    expect((badObject as CrmError).vendorCode).toBe('INVALID_TYPE');
    expect(refusal(() => buildSelect({ object: 'Contact', fields, select: [], filters: [] }))).toBeInstanceOf(CrmError);
  });
});

describe('a day on a dateTime field is the whole day in the user\'s time zone', () => {
  const day = (operator: CrmFilter['operator'], timeZone?: string) => cond({ field: 'CreatedDate', operator, value: '2024-01-02', ...(timeZone ? { timeZone } : {}) });

  it('is on / is not / after / before a day in Berlin', () => {
    expect(day('equals', 'Europe/Berlin')).toBe('(CreatedDate >= 2024-01-01T23:00:00Z AND CreatedDate < 2024-01-02T23:00:00Z)');
    expect(day('not_equals', 'Europe/Berlin')).toBe('(CreatedDate < 2024-01-01T23:00:00Z OR CreatedDate >= 2024-01-02T23:00:00Z OR CreatedDate = null)');
    expect(day('greater_than', 'Europe/Berlin')).toBe('CreatedDate >= 2024-01-02T23:00:00Z');
    expect(day('less_than', 'Europe/Berlin')).toBe('CreatedDate < 2024-01-01T23:00:00Z');
  });

  it('is the UTC day without a time zone, and a date field keeps comparing dates', () => {
    expect(day('equals')).toBe('(CreatedDate >= 2024-01-02T00:00:00Z AND CreatedDate < 2024-01-03T00:00:00Z)');
    expect(cond({ field: 'Birthdate', operator: 'equals', value: '1990-02-28', timeZone: 'Europe/Berlin' })).toBe('Birthdate = 1990-02-28');
  });
});
