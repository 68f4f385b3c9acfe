/**
 * Object metadata of the fake org, shaped like the REST API's sObject Describe and Describe Global answers
 * (REST API Developer Guide): every field entry carries the properties Salesforce sends, compound fields
 * (Name, addresses) come with their parts naming them in compoundFieldName, picklists with active and inactive
 * values, and objects have hundreds of fields the way real orgs do.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'email'
  | 'phone'
  | 'url'
  | 'textarea'
  | 'picklist'
  | 'multipicklist'
  | 'reference'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'address'
  | 'location'
  | 'base64';

export type PicklistValue = { value: string; label: string; active: boolean; defaultValue: boolean; validFor: null };

export type DescribeField = {
  aggregatable: boolean;
  autoNumber: boolean;
  byteLength: number;
  calculated: boolean;
  caseSensitive: boolean;
  compoundFieldName: string | null;
  createable: boolean;
  custom: boolean;
  defaultValue: null;
  defaultedOnCreate: boolean;
  digits: number;
  externalId: boolean;
  filterable: boolean;
  groupable: boolean;
  idLookup: boolean;
  inlineHelpText: string | null;
  label: string;
  length: number;
  name: string;
  nameField: boolean;
  nillable: boolean;
  picklistValues: PicklistValue[];
  precision: number;
  referenceTo: string[];
  relationshipName: string | null;
  scale: number;
  soapType: string;
  sortable: boolean;
  type: FieldType;
  unique: boolean;
  updateable: boolean;
  /** A picklist whose API writes must use one of its active values (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST otherwise). */
  restrictedPicklist: boolean;
};

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  string: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  textarea: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  address: 'urn:address',
  location: 'urn:location',
  base64: 'xsd:base64Binary',
};

type FieldOptions = Partial<
  Pick<DescribeField, 'compoundFieldName' | 'filterable' | 'nillable' | 'length' | 'referenceTo' | 'relationshipName' | 'nameField' | 'createable' | 'updateable' | 'defaultedOnCreate' | 'restrictedPicklist'>
> & {
  picklist?: readonly (string | [value: string, label: string, active: boolean])[];
};

export function field(name: string, label: string, type: FieldType, o: FieldOptions = {}): DescribeField {
  const textual = ['string', 'email', 'phone', 'url', 'textarea', 'picklist', 'multipicklist'].includes(type);
  const length = o.length ?? (type === 'textarea' ? 32000 : textual ? 255 : type === 'id' || type === 'reference' ? 18 : 0);
  // Long text areas cannot be filtered, grouped or sorted; compound values neither.
  const filterable = o.filterable ?? !(type === 'address' || type === 'location' || type === 'base64' || (type === 'textarea' && length > 255));
  return {
    aggregatable: filterable && type !== 'boolean',
    autoNumber: false,
    byteLength: length * 3,
    calculated: false,
    caseSensitive: false,
    compoundFieldName: o.compoundFieldName ?? null,
    // Compound values (an address, a full Name) are written through their parts, never themselves.
    createable: o.createable ?? !(type === 'id' || type === 'address' || type === 'location'),
    custom: name.endsWith('__c'),
    defaultValue: null,
    // Checkboxes are never null: Salesforce defaults them to false (as it defaults ids, owners and audit stamps).
    defaultedOnCreate: o.defaultedOnCreate ?? (type === 'boolean' || type === 'id'),
    digits: type === 'int' ? 9 : 0,
    externalId: false,
    filterable,
    groupable: filterable && !['double', 'currency', 'percent', 'datetime'].includes(type),
    idLookup: type === 'id' || type === 'email',
    inlineHelpText: null,
    label,
    length,
    name,
    nameField: o.nameField ?? false,
    nillable: o.nillable ?? !(type === 'id' || type === 'boolean'),
    picklistValues: (o.picklist ?? []).map((p) => {
      const [value, plabel, active] = typeof p === 'string' ? [p, p, true] : p;
      return { value, label: plabel, active, defaultValue: false, validFor: null };
    }),
    precision: ['double', 'currency', 'percent'].includes(type) ? 18 : 0,
    referenceTo: o.referenceTo ?? [],
    relationshipName: o.relationshipName ?? null,
    scale: ['currency'].includes(type) ? 2 : 0,
    soapType: SOAP_TYPES[type],
    sortable: filterable,
    type,
    unique: false,
    updateable: o.updateable ?? !(type === 'id' || type === 'address' || type === 'location'),
    restrictedPicklist: o.restrictedPicklist ?? false,
  };
}

function address(prefix: string, label: string): DescribeField[] {
  const compound = `${prefix}Address`;
  const part = (suffix: string, partLabel: string, type: FieldType = 'string') =>
    field(`${prefix}${suffix}`, `${label} ${partLabel}`, type, { compoundFieldName: compound, length: suffix === 'Street' ? 255 : undefined });
  return [
    part('Street', 'Street', 'textarea'),
    part('City', 'City'),
    part('State', 'State/Province'),
    part('PostalCode', 'Zip/Postal Code'),
    part('Country', 'Country'),
    part('Latitude', 'Latitude', 'double'),
    part('Longitude', 'Longitude', 'double'),
    field(`${prefix}GeocodeAccuracy`, `${label} Geocode Accuracy`, 'picklist', {
      compoundFieldName: compound,
      picklist: ['Address', 'NearAddress', 'Block', 'Street', 'ExtendedZip', 'Zip', 'Neighborhood', 'City', 'County', 'State', 'Unknown'],
    }),
    field(compound, `${label} Address`, 'address'),
  ];
}

function personName(): DescribeField[] {
  const part = (n: string, l: string, picklist?: string[]) =>
    field(n, l, picklist ? 'picklist' : 'string', { compoundFieldName: 'Name', nillable: n !== 'LastName', ...(picklist ? { picklist } : {}) });
  return [
    // The compound is read-only: its parts are written.
    field('Name', 'Full Name', 'string', { nameField: true, createable: false, updateable: false, length: 121 }),
    part('Salutation', 'Salutation', ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.']),
    part('FirstName', 'First Name'),
    part('MiddleName', 'Middle Name'),
    part('LastName', 'Last Name'),
    part('Suffix', 'Suffix'),
  ];
}

const CUSTOM_TYPES: readonly FieldType[] = ['string', 'picklist', 'double', 'date', 'boolean', 'textarea', 'url', 'currency', 'percent', 'datetime', 'email', 'phone'];

/** `count` custom fields of rotating types, the way long-lived orgs accumulate them. */
function customFields(count: number): DescribeField[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    const type = CUSTOM_TYPES[i % CUSTOM_TYPES.length] as FieldType;
    return field(`Custom_Field_${n}__c`, `Custom Field ${n}`, type, {
      ...(type === 'picklist' ? { picklist: ['Alpha', 'Beta', ['Gamma', 'Gamma (old)', false]] } : {}),
      ...(type === 'textarea' && i % 2 ? { length: 131072 } : {}),
    });
  });
}

// Restricted, as orgs often make it: a write must pick one of its active values.
const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', ['Trade Show', 'Trade Show (retired)', false] as [string, string, boolean], 'Other'];

/** Audit fields Salesforce sets itself: never createable or updateable through the API. */
const stamp = { createable: false, updateable: false, nillable: false, defaultedOnCreate: true } as const;

const system = (): DescribeField[] => [
  // Not nillable, but defaulted to the running user when a create leaves it out.
  field('OwnerId', 'Owner ID', 'reference', { referenceTo: ['User'], relationshipName: 'Owner', nillable: false, defaultedOnCreate: true }),
  field('IsDeleted', 'Deleted', 'boolean', stamp),
  field('CreatedDate', 'Created Date', 'datetime', stamp),
  field('CreatedById', 'Created By ID', 'reference', { referenceTo: ['User'], relationshipName: 'CreatedBy', ...stamp }),
  field('LastModifiedDate', 'Last Modified Date', 'datetime', stamp),
  field('SystemModstamp', 'System Modstamp', 'datetime', stamp),
];

export type ObjectMeta = {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  queryable: boolean;
  fields: DescribeField[];
};

export const OBJECTS: readonly ObjectMeta[] = [
  {
    name: 'Account',
    label: 'Account',
    labelPlural: 'Accounts',
    keyPrefix: '001',
    custom: false,
    queryable: true,
    fields: [
      field('Id', 'Account ID', 'id'),
      field('Name', 'Account Name', 'string', { nameField: true, nillable: false }),
      field('Type', 'Account Type', 'picklist', { picklist: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other'] }),
      field('ParentId', 'Parent Account ID', 'reference', { referenceTo: ['Account'], relationshipName: 'Parent' }),
      ...address('Billing', 'Billing'),
      ...address('Shipping', 'Shipping'),
      field('Phone', 'Account Phone', 'phone'),
      field('Fax', 'Account Fax', 'phone'),
      field('Website', 'Website', 'url'),
      field('PhotoUrl', 'Photo URL', 'url'),
      field('Industry', 'Industry', 'picklist', { picklist: ['Agriculture', 'Banking', 'Biotechnology', 'Consulting', 'Education', 'Energy', 'Retail', 'Technology', 'Other'] }),
      field('AnnualRevenue', 'Annual Revenue', 'currency'),
      field('NumberOfEmployees', 'Employees', 'int'),
      field('Description', 'Account Description', 'textarea'),
      field('YearStarted', 'Year Started', 'string', { length: 4 }),
      field('Logo__c', 'Logo', 'base64'),
      ...system(),
      ...customFields(120),
    ],
  },
  {
    name: 'Contact',
    label: 'Contact',
    labelPlural: 'Contacts',
    keyPrefix: '003',
    custom: false,
    queryable: true,
    fields: [
      field('Id', 'Contact ID', 'id'),
      field('AccountId', 'Account ID', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
      ...personName(),
      ...address('Other', 'Other'),
      ...address('Mailing', 'Mailing'),
      field('Phone', 'Business Phone', 'phone'),
      field('MobilePhone', 'Mobile Phone', 'phone'),
      field('HomePhone', 'Home Phone', 'phone'),
      field('Email', 'Email', 'email'),
      field('Title', 'Title', 'string', { length: 128 }),
      field('Department', 'Department', 'string', { length: 80 }),
      field('LeadSource', 'Lead Source', 'picklist', { picklist: LEAD_SOURCES, restrictedPicklist: true }),
      field('Birthdate', 'Birthdate', 'date'),
      field('Description', 'Contact Description', 'textarea'),
      field('HasOptedOutOfEmail', 'Email Opt Out', 'boolean'),
      field('Interests__c', 'Interests', 'multipicklist', { picklist: ['Jazz', 'Rock', 'Classical', 'Hip-hop'] }),
      ...system(),
      ...customFields(250),
    ],
  },
  {
    name: 'Lead',
    label: 'Lead',
    labelPlural: 'Leads',
    keyPrefix: '00Q',
    custom: false,
    queryable: true,
    fields: [
      field('Id', 'Lead ID', 'id'),
      ...personName(),
      field('Title', 'Title', 'string', { length: 128 }),
      field('Company', 'Company', 'string', { nillable: false }),
      ...address('', '').map((f) => ({ ...f, label: f.label.trim() })),
      field('Phone', 'Phone', 'phone'),
      field('MobilePhone', 'Mobile Phone', 'phone'),
      field('Email', 'Email', 'email'),
      field('Website', 'Website', 'url'),
      field('LeadSource', 'Lead Source', 'picklist', { picklist: LEAD_SOURCES, restrictedPicklist: true }),
      // Required, but Salesforce puts the default status ("Open - Not Contacted") on a lead created without one.
      field('Status', 'Status', 'picklist', { picklist: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'], nillable: false, defaultedOnCreate: true }),
      field('Industry', 'Industry', 'picklist', { picklist: ['Banking', 'Retail', 'Technology', 'Other'] }),
      field('NumberOfEmployees', 'Employees', 'int'),
      field('IsConverted', 'Converted', 'boolean', { updateable: false }),
      ...system(),
      ...customFields(180),
    ],
  },
  {
    name: 'Invoice__c',
    label: 'Invoice',
    labelPlural: 'Invoices',
    keyPrefix: 'a01',
    custom: true,
    queryable: true,
    fields: [
      field('Id', 'Record ID', 'id'),
      field('Name', 'Invoice Number', 'string', { nameField: true }),
      field('Amount__c', 'Amount', 'currency'),
      field('Customer_Email__c', 'Customer Email', 'email'),
      field('Contact__c', 'Contact', 'reference', { referenceTo: ['Contact'], relationshipName: 'Contact__r' }),
      ...system(),
    ],
  },
  {
    name: 'Organization',
    label: 'Organization',
    labelPlural: 'Organizations',
    keyPrefix: '00D',
    custom: false,
    queryable: true,
    fields: [field('Id', 'Organization ID', 'id'), field('Name', 'Name', 'string'), field('OrganizationType', 'Edition', 'string'), field('IsSandbox', 'Is Sandbox', 'boolean')],
  },
  {
    // The org's users, for the user mapping of pushes (SELECT Id, Name, Email, IsActive FROM User).
    name: 'User',
    label: 'User',
    labelPlural: 'Users',
    keyPrefix: '005',
    custom: false,
    queryable: true,
    fields: [
      field('Id', 'User ID', 'id'),
      field('Name', 'Full Name', 'string', { nameField: true, createable: false, updateable: false }),
      field('Username', 'Username', 'string'),
      field('Email', 'Email', 'email'),
      field('IsActive', 'Active', 'boolean'),
      field('UserType', 'User Type', 'picklist', { picklist: ['Standard', 'PowerPartner', 'CspLitePortal', 'Guest', 'AutomatedProcess'], createable: false, updateable: false }),
    ],
  },
];

/** Objects only listed by Describe Global: not importable (no data here), but the connector must sort them out. */
export const LISTED_ONLY = [
  { name: 'Opportunity', label: 'Opportunity', labelPlural: 'Opportunities', keyPrefix: '006', custom: false, queryable: true },
  { name: 'Case', label: 'Case', labelPlural: 'Cases', keyPrefix: '500', custom: false, queryable: true },
  { name: 'Archived_Thing__c', label: 'Archived Thing', labelPlural: 'Archived Things', keyPrefix: 'a02', custom: true, queryable: false },
  { name: 'Order_Event__e', label: 'Order Event', labelPlural: 'Order Events', keyPrefix: 'e00', custom: true, queryable: false },
  { name: 'Country_Setting__mdt', label: 'Country Setting', labelPlural: 'Country Settings', keyPrefix: 'm00', custom: true, queryable: true },
  { name: 'Legacy_Customer__x', label: 'Legacy Customer', labelPlural: 'Legacy Customers', keyPrefix: 'x00', custom: true, queryable: true },
] as const;

export function findObject(name: string): ObjectMeta | undefined {
  const lower = name.toLowerCase();
  return OBJECTS.find((o) => o.name.toLowerCase() === lower);
}
