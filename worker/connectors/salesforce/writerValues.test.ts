import { describe, expect, it } from 'vitest';
import { bulkCsv, bulkError, fieldIndex, salesforceRecord, salesforceValue, soqlLiteral, type SalesforceWriteField } from './writerValues.ts';

const field = (name: string, type: string, extra: Partial<SalesforceWriteField> = {}): SalesforceWriteField => ({ name, label: name, type, ...extra });
const source = field('LeadSource', 'picklist', {
  picklistValues: [
    { value: 'Web', label: 'Web', active: true },
    { value: 'Partner', label: 'Partner Referral', active: true },
    { value: 'Trade Show', label: 'Trade Show (retired)', active: false },
  ],
});

describe('salesforceValue', () => {
  it('turns picklist labels into their API values, case-insensitively, and leaves unknown text to Salesforce', () => {
    expect(salesforceValue(source, 'partner referral')).toEqual({ ok: true, value: 'Partner' });
    expect(salesforceValue(source, 'WEB')).toEqual({ ok: true, value: 'Web' });
    expect(salesforceValue(source, 'Seminar')).toEqual({ ok: true, value: 'Seminar' });
    expect(salesforceValue(field('I', 'multipicklist', { picklistValues: source.picklistValues ?? null }), 'Web; Partner Referral')).toEqual({ ok: true, value: 'Web;Partner' });
  });

  it('types numbers, booleans and dates, and says why a value cannot be one', () => {
    expect(salesforceValue(field('N', 'int'), ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(salesforceValue(field('N', 'int'), '4.2')).toEqual({ ok: false, reason: '"4.2" is not a whole number' });
    expect(salesforceValue(field('A', 'currency'), '-1234.50')).toEqual({ ok: true, value: -1234.5 });
    expect(salesforceValue(field('A', 'currency'), '1,234')).toMatchObject({ ok: false });
    expect(salesforceValue(field('B', 'boolean'), 'Yes')).toEqual({ ok: true, value: true });
    expect(salesforceValue(field('B', 'boolean'), 'maybe')).toEqual({ ok: false, reason: '"maybe" is not true or false' });
    expect(salesforceValue(field('D', 'date'), '2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(salesforceValue(field('D', 'date'), '2023-02-29')).toMatchObject({ ok: false });
    expect(salesforceValue(field('T', 'datetime'), '2024-01-02T03:04:05+01:00')).toEqual({ ok: true, value: '2024-01-02T02:04:05.000Z' });
    expect(salesforceValue(field('R', 'reference'), '005000000000001')).toEqual({ ok: true, value: '005000000000001' });
    expect(salesforceValue(field('S', 'string'), '  kept as typed ')).toEqual({ ok: true, value: '  kept as typed ' });
    expect(salesforceValue(field('S', 'string'), '')).toEqual({ ok: true, value: null });
  });

  it('makes an unconvertible value or an unknown field the failure of its record', () => {
    const fieldOf = fieldIndex([field('LastName', 'string'), field('NumberOfEmployees', 'int')]);
    expect(salesforceRecord(fieldOf, 'Lead', { lastname: 'Ada', NumberOfEmployees: '12' })).toEqual({ ok: true, record: { LastName: 'Ada', NumberOfEmployees: 12 } });
    expect(salesforceRecord(fieldOf, 'Lead', { NumberOfEmployees: 'many' })).toEqual({
      ok: false,
      failure: { ok: false, vendorCode: 'invalid_value', message: 'NumberOfEmployees: "many" is not a whole number.', fields: ['NumberOfEmployees'] },
    });
    expect(salesforceRecord(fieldOf, 'Lead', { Nope__c: 'x' })).toMatchObject({ ok: false, failure: { vendorCode: 'unknown_field', fields: ['Nope__c'] } });
  });
});

describe('soqlLiteral', () => {
  it('escapes text so a value never leaves its literal, and drops values no record can hold', () => {
    expect(soqlLiteral(field('LastName', 'string'), "O'Brien \\ \"x\"")).toBe("'O\\'Brien \\\\ \\\"x\\\"'");
    expect(soqlLiteral(field('N', 'int'), '12')).toBe('12');
    expect(soqlLiteral(field('N', 'int'), "1' OR Name != '")).toBeNull();
    expect(soqlLiteral(source, 'Partner Referral')).toBe("'Partner'");
  });
});

describe('Bulk API 2.0 CSV', () => {
  it('quotes every cell, empties a field with #N/A on update and upsert only, and leaves unset fields empty', () => {
    const { header, csv } = bulkCsv([{ Id: '003A', Title: 'a, "b"' }, { Id: '003B', Description: null }], 'update');
    expect(header).toEqual(['Id', 'Title', 'Description']);
    expect(csv).toBe('"Id","Title","Description"\n"003A","a, ""b""",""\n"003B","","#N/A"');
    expect(bulkCsv([{ LastName: 'x', Description: null }], 'insert').csv).toBe('"LastName","Description"\n"x",""');
    expect(bulkCsv([{ Key__c: 'K-1', Description: null }], 'upsert').csv).toBe('"Key__c","Description"\n"K-1","#N/A"');
  });

  it('reads sf__Error into code, message and fields', () => {
    expect(bulkError('REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --')).toEqual({
      ok: false,
      vendorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [LastName]',
      fields: ['LastName'],
    });
    expect(bulkError('DUPLICATES_DETECTED:Use one of these records?: --')).toEqual({ ok: false, vendorCode: 'DUPLICATES_DETECTED', message: 'Use one of these records?', fields: [] });
  });
});
