import { describe, expect, it } from 'vitest';
import { describeFields } from './describeFields.ts';
import { flattenRecord } from './flattenRecord.ts';

const describeResult = [
  { name: 'Id', label: 'Contact ID', type: 'id', filterable: true },
  { name: 'Name', label: 'Full Name', type: 'string', filterable: true },
  { name: 'FirstName', label: 'First Name', type: 'string', filterable: true, compoundFieldName: 'Name', createable: true, updateable: true, nillable: true, length: 40 },
  { name: 'LastName', label: 'Last Name', type: 'string', filterable: true, compoundFieldName: 'Name', createable: true, updateable: true, nillable: false, defaultedOnCreate: false, length: 80 },
  { name: 'OwnerId', label: 'Owner ID', type: 'reference', filterable: true, createable: true, updateable: true, nillable: false, defaultedOnCreate: true, length: 18 },
  { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', filterable: true, createable: false, updateable: false, nillable: false, defaultedOnCreate: true, length: 0 },
  { name: 'MailingStreet', label: 'Mailing Street', type: 'textarea', filterable: true, compoundFieldName: 'MailingAddress' },
  { name: 'MailingCity', label: 'Mailing City', type: 'string', filterable: true, compoundFieldName: 'MailingAddress' },
  { name: 'MailingLatitude', label: 'Mailing Latitude', type: 'double', filterable: true, compoundFieldName: 'MailingAddress' },
  { name: 'MailingAddress', label: 'Mailing Address', type: 'address', filterable: false },
  { name: 'Location__c', label: 'Location', type: 'location', filterable: false },
  { name: 'Photo__c', label: 'Photo', type: 'base64', filterable: false },
  {
    name: 'LeadSource',
    label: 'Lead Source',
    type: 'picklist',
    filterable: true,
    picklistValues: [
      { value: 'Web', label: 'Website', active: true },
      { value: 'Phone Inquiry', label: 'Phone Inquiry', active: true },
      { value: 'Fax', label: 'Fax (retired)', active: false },
    ],
  },
  {
    name: 'Interests__c',
    label: 'Interests',
    type: 'MultiPicklist',
    filterable: true,
    picklistValues: [
      { value: 'jazz', label: 'Jazz', active: true },
      { value: 'rock', label: 'Rock', active: true },
    ],
  },
  { name: 'Description', label: 'Description', type: 'textarea', filterable: false },
];

describe('describeFields', () => {
  const { fields, picklistLabels } = describeFields(describeResult);

  it('offers compound parts with compoundOf and never the compounds themselves', () => {
    expect([...fields.keys()]).toEqual(['Id', 'FirstName', 'LastName', 'OwnerId', 'SystemModstamp', 'MailingStreet', 'MailingCity', 'MailingLatitude', 'LeadSource', 'Interests__c', 'Description']);
    expect(fields.get('FirstName')).toEqual({
      name: 'FirstName',
      label: 'First Name',
      type: 'string',
      filterable: true,
      compoundOf: 'Name',
      createable: true,
      updateable: true,
      requiredOnCreate: false,
      maxLength: 40,
      text: true,
    });
    expect(fields.get('MailingCity')?.compoundOf).toBe('MailingAddress');
    expect(fields.has('Name')).toBe(false);
    expect(fields.has('MailingAddress')).toBe(false);
  });

  it('says what writing needs: required on create = createable, not nillable, not defaulted', () => {
    expect(fields.get('LastName')).toMatchObject({ createable: true, updateable: true, requiredOnCreate: true, maxLength: 80, text: true });
    // Not nillable, but Salesforce fills it (the running user): not the marketer's to provide.
    expect(fields.get('OwnerId')).toMatchObject({ requiredOnCreate: false, text: false });
    expect(fields.get('SystemModstamp')).toMatchObject({ createable: false, updateable: false, requiredOnCreate: false, maxLength: null });
    expect(fields.get('MailingLatitude')).toMatchObject({ text: false });
  });

  it('keeps active picklist values as options, lowercases types, and keeps filterable', () => {
    expect(fields.get('LeadSource')?.options).toEqual([
      { value: 'Web', label: 'Website' },
      { value: 'Phone Inquiry', label: 'Phone Inquiry' },
    ]);
    expect(fields.get('Interests__c')?.type).toBe('multipicklist');
    expect(fields.get('Description')?.filterable).toBe(false);
    expect(picklistLabels.get('LeadSource')?.get('Fax')).toBe('Fax (retired)');
  });

  it('flattens records to strings and nulls with picklist labels, dropping nested objects', () => {
    const record = {
      attributes: { type: 'Contact', url: '/services/data/v62.0/sobjects/Contact/003000000000001AAA' },
      Id: '003000000000001AAA',
      FirstName: null,
      LastName: "O'Brien",
      MailingLatitude: 48.8566,
      LeadSource: 'Fax',
      Interests__c: 'jazz;rock;blues',
      HasOptedOutOfEmail: false,
      Account: { attributes: { type: 'Account' }, Name: 'Acme' },
      MailingAddress: { city: 'Paris' },
    };
    expect(
      flattenRecord(record, ['Id', 'FirstName', 'LastName', 'MailingLatitude', 'LeadSource', 'Interests__c', 'HasOptedOutOfEmail', 'Account', 'MailingAddress', 'Missing'], picklistLabels),
    ).toEqual({
      Id: '003000000000001AAA',
      FirstName: null,
      LastName: "O'Brien",
      MailingLatitude: '48.8566',
      LeadSource: 'Fax (retired)',
      Interests__c: 'Jazz;Rock;blues',
      HasOptedOutOfEmail: 'false',
      Account: null,
      MailingAddress: null,
      Missing: null,
    });
  });
});
