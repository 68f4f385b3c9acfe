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
  it('sends each operation as a request of its own and reads answers in order, change sets and failed ones included', () => {
    const { contentType, body } = batchBody(
      [
        { method: 'POST', url: '/api/data/v9.2/contacts', headers: { 'Content-Type': 'application/json; type=entry' }, body: '{"lastname":"a"}' },
        { method: 'PATCH', url: '/api/data/v9.2/contacts(1)', headers: { 'If-Match': '*' }, body: '{}' },
      ],
      'b1',
    );
    expect(contentType).toBe('multipart/mixed; boundary=batch_b1');
    expect(body).toBe(
      [
        '--batch_b1',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        'POST /api/data/v9.2/contacts HTTP/1.1',
        'Content-Type: application/json; type=entry',
        '',
        '{"lastname":"a"}',
        '--batch_b1',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        'PATCH /api/data/v9.2/contacts(1) HTTP/1.1',
        'If-Match: *',
        '',
        '{}',
        '--batch_b1--',
        '',
      ].join('\r\n'),
    );

    const answer = [
      'preamble',
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
      '--batchresponse_r',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 204 No Content',
      'OData-Version: 4.0',
      'OData-EntityId: https://x/api/data/v9.2/contacts(aaaaaaaa-0000-4000-8000-000000000002)',
      '',
      '',
      '--batchresponse_r--',
      'epilogue --batchresponse_r',
      '',
    ].join('\r\n');
    const answers = [
      { status: 204, headers: { 'odata-entityid': 'https://x/api/data/v9.2/contacts(aaaaaaaa-0000-4000-8000-000000000001)' }, body: '', contentId: '1' },
      { status: 400, headers: { 'content-type': 'application/json; odata.metadata=minimal' }, body: '{"error":{"code":"0x80040200","message":"missing"}}', contentId: null },
      { status: 204, headers: { 'odata-version': '4.0', 'odata-entityid': 'https://x/api/data/v9.2/contacts(aaaaaaaa-0000-4000-8000-000000000002)' }, body: '', contentId: null },
    ];
    expect(parseBatchAnswer(answer, 'multipart/mixed; boundary=batchresponse_r')).toEqual(answers);
    // Lines ending in a bare LF read the same; a quoted boundary too.
    expect(parseBatchAnswer(answer.replaceAll('\r\n', '\n'), 'multipart/mixed; boundary="batchresponse_r"')).toEqual(answers);
    expect(parseBatchAnswer(answer, 'application/json')).toEqual([]);
  });
});
