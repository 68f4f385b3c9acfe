import { describe, expect, it } from 'vitest';
import type { CrmField } from '../../../shared/schema/crm.ts';
import { batchBody, parseBatchAnswer } from './writerBatch.ts';
import { dataverseRecord, dataverseValue, odataEquals } from './writerValues.ts';

const column = (name: string, type: string, extra: Partial<CrmField> = {}): CrmField => ({ name, label: name, type, filterable: true, ...extra });
const gender = column('gendercode', 'picklist', {
  label: 'Gender',
  options: [
    { value: '1', label: 'Male' },
    { value: '2', label: 'Female' },
  ],
});

describe('dataverseValue', () => {
  it('turns choice labels into option values and passes numbers for Dataverse to judge', () => {
    expect(dataverseValue(gender, 'female')).toEqual({ ok: true, entries: [['gendercode', 2]] });
    expect(dataverseValue(gender, '7')).toEqual({ ok: true, entries: [['gendercode', 7]] });
    expect(dataverseValue(gender, 'Other')).toEqual({ ok: false, reason: '"Other" is not one of its choices (Male, Female)' });
    expect(dataverseValue(column('new_interests', 'multiselectpicklist', { options: [{ value: '1', label: 'Sports' }, { value: '2', label: 'Music' }] }), 'Music; Sports')).toEqual({
      ok: true,
      entries: [['new_interests', '2,1']],
    });
  });

  it('types the other columns and binds owners and companies through their navigation properties', () => {
    expect(dataverseValue(column('donotemail', 'boolean'), 'No')).toEqual({ ok: true, entries: [['donotemail', false]] });
    expect(dataverseValue(column('numberofchildren', 'integer'), 'two')).toEqual({ ok: false, reason: '"two" is not a whole number' });
    expect(dataverseValue(column('annualincome', 'money'), '1234.5')).toEqual({ ok: true, entries: [['annualincome', 1234.5]] });
    expect(dataverseValue(column('birthdate', 'datetime'), '1990-02-30')).toMatchObject({ ok: false });
    expect(dataverseValue(column('ownerid', 'owner'), '{5E000000-0000-4001-8007-00005E000001}')).toEqual({
      ok: true,
      entries: [['ownerid@odata.bind', '/systemusers(5e000000-0000-4001-8007-00005e000001)']],
    });
    expect(dataverseValue(column('parentcustomerid', 'customer'), 'contact:5e000000-0000-4001-8007-00005e000001')).toEqual({
      ok: true,
      entries: [['parentcustomerid_contact@odata.bind', '/contacts(5e000000-0000-4001-8007-00005e000001)']],
    });
    expect(dataverseValue(column('jobtitle', 'string'), ' as typed ')).toEqual({ ok: true, entries: [['jobtitle', ' as typed ']] });
  });

  it('fails one record for an unknown column or an unconvertible value', () => {
    const fields = new Map([['gendercode', gender]]);
    expect(dataverseRecord(fields, 'contact', { GenderCode: 'Male' })).toEqual({ ok: true, record: { gendercode: 1 } });
    expect(dataverseRecord(fields, 'contact', { nope: 'x' })).toMatchObject({ ok: false, failure: { vendorCode: 'unknown_field', fields: ['nope'] } });
  });
});

describe('odataEquals', () => {
  it('doubles quotes, keeps backslashes, and drops values no row can hold', () => {
    expect(odataEquals(column('lastname', 'string'), "O'Brien\\")).toBe("lastname eq 'O''Brien\\'");
    expect(odataEquals(gender, 'Female')).toBe('gendercode eq 2');
    expect(odataEquals(column('numberofchildren', 'integer'), "1 or 1 eq 1")).toBeNull();
    expect(odataEquals(column('ownerid', 'owner'), 'not-a-guid')).toBeNull();
  });
});

describe('$batch', () => {
  it('puts each operation in a change set of its own and reads answers in order, failed change sets included', () => {
    const { contentType, body } = batchBody(
      [
        { method: 'POST', url: 'https://x/api/data/v9.2/contacts', headers: { 'Content-Type': 'application/json; type=entry' }, body: '{"lastname":"a"}' },
        { method: 'PATCH', url: 'https://x/api/data/v9.2/contacts(1)', headers: { 'If-Match': '*' }, body: '{}' },
      ],
      'b1',
    );
    expect(contentType).toBe('multipart/mixed; boundary=batch_b1');
    expect(body).toContain('--changeset_b1_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\nPOST https://x/api/data/v9.2/contacts HTTP/1.1\r\n');
    expect(body.endsWith('--batch_b1--\r\n')).toBe(true);

    const answer = [
      '--batchresponse_r',
      'Content-Type: multipart/mixed; boundary=changesetresponse_c',
      '',
      '--changesetresponse_c',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      'HTTP/1.1 204 No Content',
      'OData-EntityId: https://x/api/data/v9.2/contacts(aaaaaaaa-0000-4000-8000-000000000001)',
      '',
      '--changesetresponse_c--',
      '--batchresponse_r',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 400 Bad Request',
      'Content-Type: application/json; odata.metadata=minimal',
      '',
      '{"error":{"code":"0x80040200","message":"missing"}}',
      '--batchresponse_r--',
      '',
    ].join('\r\n');
    expect(parseBatchAnswer(answer, 'multipart/mixed; boundary=batchresponse_r')).toEqual([
      { status: 204, headers: { 'odata-entityid': 'https://x/api/data/v9.2/contacts(aaaaaaaa-0000-4000-8000-000000000001)' }, body: '', contentId: '1' },
      { status: 400, headers: { 'content-type': 'application/json; odata.metadata=minimal' }, body: '{"error":{"code":"0x80040200","message":"missing"}}', contentId: null },
    ]);
  });
});
