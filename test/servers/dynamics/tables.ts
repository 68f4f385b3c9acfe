// Tables of the fake Dataverse environment: metadata shaped like EntityDefinitions/Attributes answers, and
// deterministic rows. Contacts are many (a pull crosses several 5,000-row pages) and messy on purpose:
// apostrophes, LIKE wildcards in text, empty cells, choices and lookups that only make sense as labels.

export type Label = { UserLocalizedLabel: { Label: string; LanguageCode: number } | null; LocalizedLabels: { Label: string; LanguageCode: number }[] };
export type Option = { Value: number; Label: Label };

export type RequiredLevel = { Value: 'None' | 'SystemRequired' | 'ApplicationRequired' | 'Recommended'; CanBeChanged: boolean; ManagedPropertyLogicalName: string };

export type FakeAttribute = {
  LogicalName: string;
  DisplayName: Label;
  AttributeType: string;
  AttributeTypeName: { Value: string };
  IsValidForRead: boolean;
  IsValidForCreate: boolean;
  IsValidForUpdate: boolean;
  RequiredLevel: RequiredLevel;
  AttributeOf: string | null;
  IsCustomAttribute: boolean;
  MetadataId: string;
  /** Picklist / State / Status choices. */
  options?: Option[];
  /** String columns: Email, Phone, Url, Text. */
  format?: string;
  /** Lookups: the table they point to. */
  target?: string;
  /** String and Memo columns: MaxLength of their StringAttributeMetadata / MemoAttributeMetadata. */
  maxLength?: number;
};

export type FakeTable = {
  LogicalName: string;
  EntitySetName: string;
  PrimaryIdAttribute: string;
  PrimaryNameAttribute: string;
  IsCustomEntity: boolean;
  /** EntityMetadata.ChangeTrackingEnabled: the table answers `Prefer: odata.track-changes` with delta links. */
  ChangeTrackingEnabled: boolean;
  DisplayName: Label;
  MetadataId: string;
  attributes: FakeAttribute[];
  rows: Record<string, unknown>[];
  /** Rows deleted since the environment was built, with the row version of the deletion (change tracking's $deletedEntity). */
  deleted: { id: string; version: number }[];
};

export function label(text: string): Label {
  const l = { Label: text, LanguageCode: 1033 };
  return { UserLocalizedLabel: l, LocalizedLabels: [l] };
}

let idCounter = 0;
/** Deterministic GUIDs: the same data on every start, so tests can name records. */
export function guid(seed: number, kind: number): string {
  const hex = (n: number, len: number) => (n >>> 0).toString(16).padStart(len, '0').slice(-len);
  return `${hex(kind, 8)}-${hex(seed >>> 16, 4)}-4${hex(seed, 3)}-8${hex(seed * 7, 3)}-${hex(seed * 2654435761, 12)}`;
}

const requiredLevel = (Value: RequiredLevel['Value']): RequiredLevel => ({ Value, CanBeChanged: Value !== 'SystemRequired', ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings' });
/** Columns Dataverse sets itself (audit, computed names, composites): not valid for create or update. */
const READ_ONLY = { IsValidForCreate: false, IsValidForUpdate: false } as const;
const BUSINESS_REQUIRED = { RequiredLevel: requiredLevel('ApplicationRequired') } as const;

function attribute(logicalName: string, display: string, type: string, extra: Partial<FakeAttribute> = {}): FakeAttribute {
  idCounter++;
  // Dataverse's default single line of text is 100 characters; helper columns (AttributeOf) are never written.
  const helper = extra.AttributeOf != null || logicalName.endsWith('_composite');
  return {
    LogicalName: logicalName,
    DisplayName: label(display),
    AttributeType: type,
    AttributeTypeName: { Value: `${type}Type` },
    IsValidForRead: true,
    IsValidForCreate: !helper,
    IsValidForUpdate: !helper,
    RequiredLevel: requiredLevel('None'),
    ...(type === 'String' ? { maxLength: 100 } : type === 'Memo' ? { maxLength: 2000 } : {}),
    AttributeOf: null,
    IsCustomAttribute: logicalName.includes('_') && /^(new|cr\d+)_/.test(logicalName),
    MetadataId: guid(idCounter, 0xa77),
    ...extra,
  };
}

const choices = (...labels: [number, string][]): Option[] => labels.map(([Value, text]) => ({ Value, Label: label(text) }));

const stateChoices = choices([0, 'Active'], [1, 'Inactive']);
const statusChoices = choices([1, 'Active'], [2, 'Inactive']);
export const GENDER = choices([1, 'Male'], [2, 'Female']);
export const CONTACT_METHOD = choices([1, 'Any'], [2, 'Email'], [3, 'Phone'], [4, 'Fax'], [5, 'Mail']);
export const INDUSTRY = choices([1, 'Accounting'], [2, 'Agriculture and Non-petrol Natural Resource Extraction'], [3, 'Broadcasting Printing and Publishing'], [4, 'Brokers'], [5, 'Building Supply Retail'], [6, 'Business Services'], [7, 'Consulting'], [8, 'Consumer Services'], [9, 'Design, Direction and Creative Management'], [10, 'Distributors, Dispatchers and Processors'], [11, "Doctor's Offices and Clinics"], [12, 'Durable Manufacturing']);

/** Address blocks as Dataverse has them: parts plus a read-only composite. */
function addressAttributes(n: number): FakeAttribute[] {
  const p = `address${n}_`;
  const parts: [string, string, string][] = [
    ['line1', 'Street 1', 'String'],
    ['line2', 'Street 2', 'String'],
    ['line3', 'Street 3', 'String'],
    ['city', 'City', 'String'],
    ['stateorprovince', 'State/Province', 'String'],
    ['postalcode', 'ZIP/Postal Code', 'String'],
    ['country', 'Country/Region', 'String'],
    ['county', 'County', 'String'],
    ['telephone1', 'Address Phone', 'String'],
    ['fax', 'Address Fax', 'String'],
    ['latitude', 'Latitude', 'Double'],
    ['longitude', 'Longitude', 'Double'],
    ['name', 'Address Name', 'String'],
    ['postofficebox', 'Post Office Box', 'String'],
    ['upszone', 'UPS Zone', 'String'],
    ['utcoffset', 'UTC Offset', 'Integer'],
    ['addressid', 'Address ID', 'Uniqueidentifier'],
  ];
  return [
    ...parts.map(([s, d, t]) => attribute(`${p}${s}`, `Address ${n}: ${d}`, t, s === 'telephone1' ? { format: 'Phone' } : t === 'String' ? { format: 'Text' } : {})),
    attribute(`${p}composite`, `Address ${n}`, 'Memo'),
    attribute(`${p}addresstypecode`, `Address ${n}: Address Type`, 'Picklist', { options: choices([1, 'Bill To'], [2, 'Ship To'], [3, 'Primary'], [4, 'Other']) }),
  ];
}

/** Columns every table has (owner, audit, state), including helpers the Web API never returns (AttributeOf set). */
function systemAttributes(table: string): FakeAttribute[] {
  return [
    // The primary key may be given on create (Dataverse makes one otherwise), never changed.
    attribute(`${table}id`, table === 'account' ? 'Account' : table === 'lead' ? 'Lead' : 'Contact', 'Uniqueidentifier', {
      IsValidForUpdate: false,
      RequiredLevel: requiredLevel('SystemRequired'),
    }),
    attribute('createdon', 'Created On', 'DateTime', READ_ONLY),
    attribute('modifiedon', 'Modified On', 'DateTime', READ_ONLY),
    attribute('overriddencreatedon', 'Record Created On', 'DateTime', { IsValidForUpdate: false }),
    attribute('createdby', 'Created By', 'Lookup', { target: 'systemuser', ...READ_ONLY }),
    attribute('createdbyname', 'Created By Name', 'String', { AttributeOf: 'createdby' }),
    attribute('modifiedby', 'Modified By', 'Lookup', { target: 'systemuser', ...READ_ONLY }),
    attribute('modifiedbyname', 'Modified By Name', 'String', { AttributeOf: 'modifiedby' }),
    // SystemRequired, and filled with the caller when a create leaves it out.
    attribute('ownerid', 'Owner', 'Owner', { target: 'systemuser', RequiredLevel: requiredLevel('SystemRequired') }),
    attribute('owneridname', 'Owner Name', 'String', { AttributeOf: 'ownerid' }),
    attribute('owneridtype', 'Owner Type', 'EntityName', { AttributeOf: 'ownerid' }),
    attribute('owningbusinessunit', 'Owning Business Unit', 'Lookup', { target: 'businessunit', ...READ_ONLY }),
    // A record is created active; its state changes only by an update.
    attribute('statecode', 'Status', 'State', { options: stateChoices, IsValidForCreate: false, RequiredLevel: requiredLevel('SystemRequired') }),
    attribute('statuscode', 'Status Reason', 'Status', { options: statusChoices }),
    attribute('versionnumber', 'Version Number', 'BigInt', READ_ONLY),
    attribute('importsequencenumber', 'Import Sequence Number', 'Integer', { IsValidForUpdate: false }),
    attribute('timezoneruleversionnumber', 'Time Zone Rule Version Number', 'Integer'),
    attribute('utcconversiontimezonecode', 'UTC Conversion Time Zone Code', 'Integer'),
    attribute('transactioncurrencyid', 'Currency', 'Lookup', { target: 'transactioncurrency' }),
    attribute('exchangerate', 'Exchange Rate', 'Decimal', READ_ONLY),
    attribute('entityimage', 'Entity Image', 'Virtual', { AttributeTypeName: { Value: 'ImageType' } }),
    attribute('entityimageid', 'Entity Image Id', 'Uniqueidentifier', { IsValidForRead: false }),
    attribute('processid', 'Process', 'Uniqueidentifier'),
    attribute('stageid', '(Deprecated) Process Stage', 'Uniqueidentifier'),
    attribute('traversedpath', '(Deprecated) Traversed Path', 'String'),
  ];
}

/** Solution-added columns: real orgs carry hundreds of them, most empty. */
function fillerAttributes(prefix: string, count: number): FakeAttribute[] {
  return Array.from({ length: count }, (_, i) =>
    attribute(`${prefix}_field${String(i + 1).padStart(3, '0')}`, `Custom Field ${i + 1}`, i % 10 === 9 ? 'Integer' : 'String', i % 10 === 9 ? {} : { format: 'Text' }),
  );
}

const FIRST = ['Yvonne', 'Susanna', 'Nancy', 'Maria', 'Sidney', 'Scott', 'Rene', 'Paul', 'Patrick', 'Jim', 'Thomas', 'Rachel', 'Aoife', 'Zoë', 'Jürgen', 'Renée'];
const LAST = ['McKay', 'Stubberod', 'Anderson', 'Campbell', 'Higa', 'Konersmann', 'Valdes', 'Cannon', 'Sands', 'Glynn', "O'Brien", "D'Angelo", 'Nuñez', 'Løkke', 'Smith', 'Lee'];
const JOBS = ['Purchasing Manager', 'Owner', 'CEO', 'VP Sales', 'Buyer', null, 'Marketing Lead', 'Head of 100% Growth', 'IT_Admin', 'IT-Admin', 'Head of 1000 Stores'];
const COUNTRIES = ['United States', 'Canada', 'France', 'Germany', 'United Kingdom', null, 'Ireland'];
const CITIES = ['Redmond', 'Seattle', 'Paris', 'Berlin', 'London', 'Dublin', "Val-d'Or"];
const COMPANIES = ['Litware, Inc. (sample)', 'Adventure Works (sample)', 'Fabrikam, Inc. (sample)', 'Blue Yonder Airlines (sample)', 'City Power & Light (sample)', 'Contoso Pharmaceuticals (sample)', 'Alpine Ski House (sample)', 'A. Datum Corporation (sample)', 'Coho Winery (sample)', '50% Off Deals_Ltd', "Trey's Research (sample)"];

const CONTACT_KIND = 0xc0; // guid() kinds, so ids of different tables never collide
const ACCOUNT_KIND = 0xac;
const LEAD_KIND = 0x1e;
const USER_KIND = 0x5e;

export const USERS = [
  { systemuserid: guid(1, USER_KIND), fullname: 'Nancy Admin', domainname: 'nancy@contoso.onmicrosoft.com' },
  { systemuserid: guid(2, USER_KIND), fullname: '# audience-import', domainname: 'app@contoso.onmicrosoft.com' },
];
export const ORGANIZATION = { organizationid: guid(1, 0x0e), name: 'Contoso (sample)' };
export const BUSINESS_UNIT = guid(1, 0xb0);

function isoDay(seed: number): string {
  return new Date(Date.UTC(2020, 0, 1) + (seed % 1500) * 86_400_000 + (seed % 86_400) * 1000).toISOString().replace('.000Z', 'Z');
}

function pick<T>(list: readonly T[], seed: number): T {
  return list[seed % list.length] as T;
}

function accountRows(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const name = i < COMPANIES.length ? pick(COMPANIES, i) : `${pick(COMPANIES, i).replace(' (sample)', '')} ${i}`;
    const domain = name.toLowerCase().replace(/[^a-z0-9]+/g, '') || 'example';
    return {
      accountid: guid(i + 1, ACCOUNT_KIND),
      name,
      websiteurl: i % 5 === 4 ? null : `https://www.${domain}.com`,
      address1_line1: `${100 + i} Main St`,
      address1_city: pick(CITIES, i),
      address1_country: pick(COUNTRIES, i + 1),
      description: i % 3 === 0 ? `Customer since ${2000 + (i % 20)}. Line one;\nline two, "quoted"` : null,
      industrycode: i % 4 === 3 ? null : pick(INDUSTRY, i).Value,
      new_yearfounded: i % 6 === 5 ? null : 1950 + (i % 70),
      numberofemployees: 10 * (i + 1),
      revenue: i % 2 ? 125000.5 * (i + 1) : null,
      statecode: 0,
      statuscode: 1,
      createdon: isoDay(i * 13),
      ownerid: USERS[0]?.systemuserid,
    };
  });
}

function contactRows(count: number, accounts: Record<string, unknown>[]): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const first = pick(FIRST, i);
    const last = pick(LAST, Math.floor(i / FIRST.length));
    const account = i % 7 === 6 ? null : accounts[i % accounts.length];
    const email = i % 11 === 10 ? null : `${first}.${last}${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '');
    return {
      contactid: guid(i + 1, CONTACT_KIND),
      firstname: i % 97 === 96 ? null : first,
      lastname: last,
      fullname: `${first} ${last}`,
      emailaddress1: email,
      emailaddress2: i % 5 === 0 ? `alt${i}@example.org` : null,
      mobilephone: i % 3 === 0 ? null : `+1 425 555 ${String(i % 10_000).padStart(4, '0')}`,
      telephone1: i % 2 === 0 ? `(206) 555-${String((i * 7) % 10_000).padStart(4, '0')}` : null,
      jobtitle: pick(JOBS, i),
      address1_city: pick(CITIES, i),
      address1_country: pick(COUNTRIES, i),
      address1_postalcode: i % 4 ? String(98000 + (i % 999)) : null,
      gendercode: i % 3 === 2 ? null : pick(GENDER, i).Value,
      preferredcontactmethodcode: pick(CONTACT_METHOD, i).Value,
      donotemail: i % 10 === 0,
      birthdate: i % 4 === 0 ? null : `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
      numberofchildren: i % 5,
      annualincome: i % 3 === 0 ? null : 40000 + (i % 100) * 1000,
      parentcustomerid: account ? account.accountid : null,
      parentcustomeridtype: account ? 'account' : null,
      statecode: i % 50 === 49 ? 1 : 0,
      statuscode: i % 50 === 49 ? 2 : 1,
      createdon: isoDay(i),
      modifiedon: isoDay(i + 17),
      ownerid: USERS[0]?.systemuserid,
    };
  });
}

function leadRows(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    leadid: guid(i + 1, LEAD_KIND),
    firstname: pick(FIRST, i + 3),
    lastname: pick(LAST, i + 5),
    fullname: `${pick(FIRST, i + 3)} ${pick(LAST, i + 5)}`,
    subject: `Interested in product ${i % 9}`,
    companyname: pick(COMPANIES, i),
    emailaddress1: `lead${i}@example.net`,
    mobilephone: i % 4 === 0 ? null : `+33 6 12 34 ${String(i % 100).padStart(2, '0')} 00`,
    telephone1: `+33 1 40 00 ${String(i % 100).padStart(2, '0')} 00`,
    jobtitle: pick(JOBS, i + 2),
    address1_country: pick(COUNTRIES, i + 2),
    leadsourcecode: 1 + (i % 4),
    statecode: 0,
    statuscode: 1,
    createdon: isoDay(i * 3),
    ownerid: USERS[0]?.systemuserid,
  }));
}

/** `version`: the environment's row version counter; every row carries the version of its last change (versionnumber). */
export type FakeEnvironment = { tables: Map<string, FakeTable>; bySet: Map<string, FakeTable>; version: number };

export function buildEnvironment(sizes: { contacts: number; accounts: number; leads: number }): FakeEnvironment {
  idCounter = 0;
  const accounts = accountRows(sizes.accounts);
  const contactAttributes: FakeAttribute[] = [
    ...systemAttributes('contact'),
    attribute('firstname', 'First Name', 'String', { format: 'Text' }),
    attribute('middlename', 'Middle Name', 'String', { format: 'Text' }),
    attribute('lastname', 'Last Name', 'String', { format: 'Text', maxLength: 50, ...BUSINESS_REQUIRED }),
    attribute('fullname', 'Full Name', 'String', { format: 'Text', maxLength: 160, ...READ_ONLY }),
    attribute('salutation', 'Salutation', 'String', { format: 'Text' }),
    attribute('emailaddress1', 'Email', 'String', { format: 'Email' }),
    attribute('emailaddress2', 'Email Address 2', 'String', { format: 'Email' }),
    attribute('emailaddress3', 'Email Address 3', 'String', { format: 'Email' }),
    attribute('mobilephone', 'Mobile Phone', 'String', { format: 'Phone' }),
    attribute('telephone1', 'Business Phone', 'String', { format: 'Phone' }),
    attribute('telephone2', 'Home Phone', 'String', { format: 'Phone' }),
    attribute('telephone3', 'Telephone 3', 'String', { format: 'Phone' }),
    attribute('fax', 'Fax', 'String', { format: 'Phone' }),
    attribute('jobtitle', 'Job Title', 'String', { format: 'Text' }),
    attribute('department', 'Department', 'String', { format: 'Text' }),
    attribute('websiteurl', 'Website', 'String', { format: 'Url' }),
    attribute('description', 'Description', 'Memo'),
    attribute('birthdate', 'Birthday', 'DateTime'),
    attribute('numberofchildren', 'No. of Children', 'Integer'),
    attribute('annualincome', 'Annual Income', 'Money'),
    attribute('creditlimit', 'Credit Limit', 'Money'),
    attribute('donotemail', 'Do not allow Emails', 'Boolean'),
    attribute('donotphone', 'Do not allow Phone Calls', 'Boolean'),
    attribute('gendercode', 'Gender', 'Picklist', { options: GENDER }),
    attribute('familystatuscode', 'Marital Status', 'Picklist', { options: choices([1, 'Single'], [2, 'Married'], [3, 'Divorced'], [4, 'Widowed']) }),
    attribute('preferredcontactmethodcode', 'Preferred Method of Contact', 'Picklist', { options: CONTACT_METHOD }),
    attribute('new_interests', 'Interests', 'Virtual', { AttributeTypeName: { Value: 'MultiSelectPicklistType' }, options: choices([1, 'Sports'], [2, 'Music']) }),
    attribute('parentcustomerid', 'Company Name', 'Customer', { target: 'account' }),
    attribute('parentcustomeridname', 'Company Name Name', 'String', { AttributeOf: 'parentcustomerid' }),
    attribute('parentcustomeridtype', 'Company Name Type', 'EntityName', { AttributeOf: 'parentcustomerid' }),
    ...addressAttributes(1),
    ...addressAttributes(2),
    ...addressAttributes(3),
    ...fillerAttributes('cr123', 180),
  ];
  const contact: FakeTable = {
    LogicalName: 'contact',
    EntitySetName: 'contacts',
    PrimaryIdAttribute: 'contactid',
    PrimaryNameAttribute: 'fullname',
    IsCustomEntity: false,
    ChangeTrackingEnabled: true,
    DisplayName: label('Contact'),
    MetadataId: '608861bc-50a4-4c5f-a02c-21fe1943e2cf',
    attributes: contactAttributes,
    rows: contactRows(sizes.contacts, accounts),
    deleted: [],
  };
  const account: FakeTable = {
    LogicalName: 'account',
    EntitySetName: 'accounts',
    PrimaryIdAttribute: 'accountid',
    PrimaryNameAttribute: 'name',
    IsCustomEntity: false,
    ChangeTrackingEnabled: false,
    DisplayName: label('Account'),
    MetadataId: '70816501-edb9-4740-a16c-6a5efbc05d84',
    attributes: [
      ...systemAttributes('account'),
      attribute('name', 'Account Name', 'String', { format: 'Text', maxLength: 160, ...BUSINESS_REQUIRED }),
      attribute('accountnumber', 'Account Number', 'String', { format: 'Text' }),
      attribute('websiteurl', 'Website', 'String', { format: 'Url' }),
      attribute('emailaddress1', 'Email', 'String', { format: 'Email' }),
      attribute('telephone1', 'Main Phone', 'String', { format: 'Phone' }),
      attribute('description', 'Description', 'Memo'),
      attribute('industrycode', 'Industry', 'Picklist', { options: INDUSTRY }),
      attribute('numberofemployees', 'Number of Employees', 'Integer'),
      attribute('revenue', 'Annual Revenue', 'Money'),
      attribute('new_yearfounded', 'Year Founded', 'Integer'),
      attribute('primarycontactid', 'Primary Contact', 'Lookup', { target: 'contact' }),
      ...addressAttributes(1),
      ...addressAttributes(2),
      ...fillerAttributes('cr123', 60),
    ],
    rows: accounts,
    deleted: [],
  };
  const lead: FakeTable = {
    LogicalName: 'lead',
    EntitySetName: 'leads',
    PrimaryIdAttribute: 'leadid',
    PrimaryNameAttribute: 'fullname',
    IsCustomEntity: false,
    ChangeTrackingEnabled: true,
    DisplayName: label('Lead'),
    MetadataId: 'e3fe4ff2-a630-49bb-a1e9-debc3a076815',
    attributes: [
      ...systemAttributes('lead'),
      attribute('firstname', 'First Name', 'String', { format: 'Text' }),
      attribute('lastname', 'Last Name', 'String', { format: 'Text', maxLength: 50, ...BUSINESS_REQUIRED }),
      attribute('fullname', 'Name', 'String', { format: 'Text', maxLength: 160, ...READ_ONLY }),
      attribute('subject', 'Topic', 'String', { format: 'Text', maxLength: 300, ...BUSINESS_REQUIRED }),
      attribute('companyname', 'Company Name', 'String', { format: 'Text' }),
      attribute('emailaddress1', 'Email', 'String', { format: 'Email' }),
      attribute('mobilephone', 'Mobile Phone', 'String', { format: 'Phone' }),
      attribute('telephone1', 'Business Phone', 'String', { format: 'Phone' }),
      attribute('jobtitle', 'Job Title', 'String', { format: 'Text' }),
      attribute('leadsourcecode', 'Lead Source', 'Picklist', { options: choices([1, 'Advertisement'], [2, 'Employee Referral'], [3, 'External Referral'], [4, 'Partner']) }),
      ...addressAttributes(1),
    ],
    rows: leadRows(sizes.leads),
    deleted: [],
  };
  const membership: FakeTable = {
    LogicalName: 'new_membership',
    EntitySetName: 'new_memberships',
    PrimaryIdAttribute: 'new_membershipid',
    PrimaryNameAttribute: 'new_name',
    IsCustomEntity: true,
    ChangeTrackingEnabled: false,
    DisplayName: label('Membership'),
    MetadataId: '0f3c2d4e-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
    attributes: [
      attribute('new_membershipid', 'Membership', 'Uniqueidentifier'),
      attribute('new_name', 'Name', 'String', { format: 'Text' }),
      attribute('new_email', 'Member Email', 'String', { format: 'Email' }),
      attribute('new_level', 'Level', 'Picklist', { options: choices([100000000, 'Bronze'], [100000001, 'Silver'], [100000002, 'Gold']) }),
      attribute('createdon', 'Created On', 'DateTime'),
    ],
    rows: Array.from({ length: 25 }, (_, i) => ({
      new_membershipid: guid(i + 1, 0x3e),
      new_name: `Member ${i + 1}`,
      new_email: `member${i + 1}@example.com`,
      new_level: 100000000 + (i % 3),
      createdon: isoDay(i),
    })),
    deleted: [],
  };
  // System tables Dataverse lists too; they are not offered for import.
  const system = ['systemuser', 'businessunit', 'activitypointer', 'annotation', 'transactioncurrency'].map(
    (name): FakeTable => ({
      LogicalName: name,
      EntitySetName: `${name}s`,
      PrimaryIdAttribute: `${name}id`,
      PrimaryNameAttribute: 'name',
      IsCustomEntity: false,
      ChangeTrackingEnabled: false,
      DisplayName: label(name),
      MetadataId: guid(name.length, 0x515),
      attributes: [attribute(`${name}id`, name, 'Uniqueidentifier')],
      rows: [],
      deleted: [],
    }),
  );
  const intersect: FakeTable = { ...membership, LogicalName: 'new_membership_contact', EntitySetName: '', IsCustomEntity: true, DisplayName: label(''), rows: [], deleted: [] };
  const all = [account, contact, lead, membership, intersect, ...system];
  const environment = {
    tables: new Map(all.map((t) => [t.LogicalName, t])),
    bySet: new Map(all.filter((t) => t.EntitySetName).map((t) => [t.EntitySetName, t])),
    version: 0,
  };
  for (const t of all) stampVersions(environment, t.rows);
  return environment;
}

/** Gives rows without one the next row versions, as Dataverse stamps versionnumber on every write. */
export function stampVersions(environment: FakeEnvironment, rows: Record<string, unknown>[]): void {
  for (const row of rows) if (typeof row.versionnumber !== 'number') row.versionnumber = ++environment.version;
}

/** Lookup display names, as the FormattedValue annotation of `_x_value` carries them. */
export function lookupName(env: FakeEnvironment, id: string): { name: string; table: string } | null {
  for (const user of USERS) if (user.systemuserid === id) return { name: user.fullname, table: 'systemuser' };
  const account = env.tables.get('account')?.rows.find((r) => r.accountid === id);
  if (account) return { name: String(account.name), table: 'account' };
  return null;
}
