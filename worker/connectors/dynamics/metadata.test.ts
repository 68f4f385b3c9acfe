import { describe, expect, it } from 'vitest';
import { toCrmFields, toCrmObjects, type AttributeDefinition } from './metadata.ts';
import { flattenRecord, readColumns } from './records.ts';

const label = (Label: string) => ({ UserLocalizedLabel: { Label }, LocalizedLabels: [{ Label }] });

describe('toCrmObjects', () => {
  it('offers contacts, leads, accounts first, then custom tables, never system ones or tables without an entity set', () => {
    const objects = toCrmObjects([
      { LogicalName: 'systemuser', DisplayName: label('User'), EntitySetName: 'systemusers', IsCustomEntity: false, PrimaryIdAttribute: 'systemuserid' },
      { LogicalName: 'new_z', DisplayName: label('Zebra'), EntitySetName: 'new_zs', IsCustomEntity: true, PrimaryIdAttribute: 'new_zid' },
      { LogicalName: 'account', DisplayName: label('Account'), EntitySetName: 'accounts', IsCustomEntity: false, PrimaryIdAttribute: 'accountid' },
      { LogicalName: 'new_a', DisplayName: { UserLocalizedLabel: null, LocalizedLabels: [] }, EntitySetName: 'new_as', IsCustomEntity: true, PrimaryIdAttribute: 'new_aid' },
      { LogicalName: 'new_link', DisplayName: label('Link'), EntitySetName: null, IsCustomEntity: true, PrimaryIdAttribute: 'new_linkid' },
      { LogicalName: 'lead', DisplayName: label('Lead'), EntitySetName: 'leads', IsCustomEntity: false, PrimaryIdAttribute: 'leadid' },
      { LogicalName: 'contact', DisplayName: label('Contact'), EntitySetName: 'contacts', IsCustomEntity: false, PrimaryIdAttribute: 'contactid' },
    ]);
    expect(objects).toEqual([
      { name: 'contact', label: 'Contact', role: 'lead', custom: false },
      { name: 'lead', label: 'Lead', role: 'lead', custom: false },
      { name: 'account', label: 'Account', role: 'company', custom: false },
      { name: 'new_a', label: 'new_a', role: 'custom', custom: true },
      { name: 'new_z', label: 'Zebra', role: 'custom', custom: true },
    ]);
  });
});

describe('toCrmFields', () => {
  const attribute = (LogicalName: string, AttributeType: string, extra: Partial<AttributeDefinition> = {}): AttributeDefinition => ({
    LogicalName,
    DisplayName: label(LogicalName.toUpperCase()),
    AttributeType,
    IsValidForRead: true,
    AttributeOf: null,
    ...extra,
  });

  it('drops helpers, unreadable and valueless columns, types strings by format, labels choices, ties address parts to their composite', () => {
    const fields = toCrmFields(
      [
        attribute('emailaddress1', 'String'),
        attribute('gendercode', 'Picklist'),
        attribute('parentcustomerid', 'Customer'),
        attribute('parentcustomeridname', 'String', { AttributeOf: 'parentcustomerid' }),
        attribute('entityimage', 'Virtual', { AttributeTypeName: { Value: 'ImageType' } }),
        attribute('new_interests', 'Virtual', { AttributeTypeName: { Value: 'MultiSelectPicklistType' } }),
        attribute('secret', 'String', { IsValidForRead: false }),
        attribute('owneridtype', 'EntityName'),
        attribute('address1_city', 'String'),
        attribute('address1_composite', 'Memo'),
      ],
      [{ LogicalName: 'gendercode', OptionSet: { Options: [{ Value: 1, Label: label('Male') }, { Value: 2, Label: label('Female') }] } }],
      [{ LogicalName: 'emailaddress1', FormatName: { Value: 'Email' } }, { LogicalName: 'address1_city', FormatName: { Value: 'Text' } }],
    );
    // The write side has its own test below.
    const readSide = fields.map(({ createable, updateable, requiredOnCreate, maxLength, text, ...read }) => read);
    expect(readSide).toEqual([
      { name: 'address1_city', label: 'ADDRESS1_CITY', type: 'string', filterable: true, compoundOf: 'address1_composite' },
      { name: 'emailaddress1', label: 'EMAILADDRESS1', type: 'email', filterable: true },
      {
        name: 'gendercode',
        label: 'GENDERCODE',
        type: 'picklist',
        filterable: true,
        options: [
          { value: '1', label: 'Male' },
          { value: '2', label: 'Female' },
        ],
      },
      { name: 'new_interests', label: 'NEW_INTERESTS', type: 'multiselectpicklist', filterable: false },
      { name: 'parentcustomerid', label: 'PARENTCUSTOMERID', type: 'customer', filterable: true },
    ]);
  });

  it('says what writing needs: valid for create/update, required level, text and its length', () => {
    const required = { Value: 'ApplicationRequired' };
    const fields = toCrmFields(
      [
        attribute('lastname', 'String', { IsValidForCreate: true, IsValidForUpdate: true, RequiredLevel: required }),
        attribute('description', 'Memo', { IsValidForCreate: true, IsValidForUpdate: true, RequiredLevel: { Value: 'None' } }),
        attribute('modifiedon', 'DateTime', { IsValidForCreate: false, IsValidForUpdate: false, RequiredLevel: { Value: 'None' } }),
        // SystemRequired, but Dataverse makes the caller the owner and starts the status at its default.
        attribute('ownerid', 'Owner', { IsValidForCreate: true, IsValidForUpdate: true, RequiredLevel: { Value: 'SystemRequired' } }),
        attribute('statuscode', 'Status', { IsValidForCreate: true, IsValidForUpdate: true, RequiredLevel: { Value: 'SystemRequired' } }),
      ],
      [],
      [{ LogicalName: 'lastname', FormatName: { Value: 'Text' }, MaxLength: 50 }],
    );
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get('lastname')).toMatchObject({ createable: true, updateable: true, requiredOnCreate: true, maxLength: 50, text: true });
    expect(byName.get('description')).toMatchObject({ requiredOnCreate: false, maxLength: null, text: true });
    expect(byName.get('modifiedon')).toMatchObject({ createable: false, updateable: false, requiredOnCreate: false, text: false });
    expect(byName.get('ownerid')?.requiredOnCreate).toBe(false);
    expect(byName.get('statuscode')?.requiredOnCreate).toBe(false);
  });
});

describe('flattenRecord', () => {
  it('gives labels for choices and lookups, raw values for numbers and dates, null for missing', () => {
    const columns = readColumns([
      { name: 'gendercode', type: 'picklist' },
      { name: 'parentcustomerid', type: 'customer' },
      { name: 'new_yearfounded', type: 'integer' },
      { name: 'createdon', type: 'datetime' },
      { name: 'donotemail', type: 'boolean' },
      { name: 'jobtitle', type: 'string' },
    ]);
    const row = flattenRecord(
      {
        '@odata.etag': 'W/"1"',
        gendercode: 2,
        'gendercode@OData.Community.Display.V1.FormattedValue': 'Female',
        _parentcustomerid_value: '4624eff7-53d3-ed11-a7c7-000d3a993550',
        '_parentcustomerid_value@OData.Community.Display.V1.FormattedValue': 'Litware, Inc.',
        new_yearfounded: 1950,
        'new_yearfounded@OData.Community.Display.V1.FormattedValue': '1,950',
        createdon: '2024-05-01T10:00:00Z',
        'createdon@OData.Community.Display.V1.FormattedValue': '5/1/2024 10:00 AM',
        donotemail: false,
        'donotemail@OData.Community.Display.V1.FormattedValue': 'Allow',
        jobtitle: null,
      },
      columns,
    );
    expect(row).toEqual({
      gendercode: 'Female',
      parentcustomerid: 'Litware, Inc.',
      new_yearfounded: '1950',
      createdon: '2024-05-01T10:00:00Z',
      donotemail: 'Allow',
      jobtitle: null,
    });
  });
});
