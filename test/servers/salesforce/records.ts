import type { FakeRecord } from './controlTypes.ts';
import { seededRandom } from '../../support/seededRandom.ts';

/** Deterministic sample data: the same org seed always yields the same records, so failures reproduce. */

const FIRST = ['Ada', 'Björn', 'Chloé', 'Dmitri', 'Émile', 'Fatima', 'Grace', 'Hiro', 'Inès', 'José', 'Kai', 'Léa', 'Mateo', 'Nadia', 'Olu', 'Priya'];
const LAST = ['Lovelace', 'Nilsson', 'Dubois', 'Ivanov', 'Zola', 'Haddad', 'Hopper', 'Tanaka', 'Moreau', 'García', 'Müller', 'Rossi', 'Smith', 'Nguyen', 'Okafor', 'Patel'];
const TITLES = ['CEO', 'CTO', 'Marketing Manager', 'Sales Director', 'Engineer', 'Buyer', null];
const CITIES: [city: string, country: string][] = [
  ['Paris', 'France'],
  ['Berlin', 'Germany'],
  ['London', 'United Kingdom'],
  ['New York', 'United States'],
  ['Lagos', 'Nigeria'],
  ['São Paulo', 'Brazil'],
];
const SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Trade Show', 'Other'];
const INDUSTRIES = ['Banking', 'Consulting', 'Education', 'Retail', 'Technology', 'Other'];

/** Salesforce ids are 15 case-sensitive characters plus a 3-character checksum suffix; this keeps the shape. */
export function recordId(prefix: string, orgIndex: number, n: number): string {
  return `${prefix}${String(orgIndex).padStart(4, '0')}${String(n).padStart(8, '0')}AAA`;
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function isoDate(rand: () => number, fromYear: number, years: number): string {
  const d = new Date(Date.UTC(fromYear, 0, 1) + Math.floor(rand() * years * 365) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

export function generateContacts(orgIndex: number, count: number, accountIds: readonly string[]): FakeRecord[] {
  const rand = seededRandom(orgIndex * 7919 + 3);
  return Array.from({ length: count }, (_, i) => {
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const [city, country] = pick(rand, CITIES);
    const created = `${isoDate(rand, 2015, 9)}T${String(i % 24).padStart(2, '0')}:15:00.000+0000`;
    return {
      Id: recordId('003', orgIndex, i + 1),
      AccountId: accountIds.length ? (accountIds[i % accountIds.length] ?? null) : null,
      Salutation: rand() < 0.3 ? pick(rand, ['Mr.', 'Ms.', 'Dr.']) : null,
      FirstName: rand() < 0.97 ? first : null,
      LastName: last,
      Email: rand() < 0.95 ? `${first}.${last}.${i + 1}@example.com`.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase() : null,
      Phone: rand() < 0.8 ? `+1 415 555 ${String(1000 + (i % 9000))}` : null,
      MobilePhone: rand() < 0.6 ? `+33 6 12 ${String(10 + (i % 90))} ${String(10 + ((i * 7) % 90))} ${String(10 + ((i * 13) % 90))}` : null,
      Title: pick(rand, TITLES),
      MailingStreet: `${1 + (i % 200)} Main Street`,
      MailingCity: city,
      MailingState: null,
      MailingPostalCode: String(10000 + ((i * 37) % 89999)),
      MailingCountry: country,
      MailingLatitude: Math.round(rand() * 180_000 - 90_000) / 1000,
      MailingLongitude: Math.round(rand() * 360_000 - 180_000) / 1000,
      LeadSource: pick(rand, SOURCES),
      Birthdate: rand() < 0.5 ? isoDate(rand, 1950, 50) : null,
      HasOptedOutOfEmail: rand() < 0.1,
      Interests__c: rand() < 0.4 ? 'Jazz;Rock' : null,
      CreatedDate: created,
      LastModifiedDate: created,
      Custom_Field_001__c: rand() < 0.5 ? `Value ${i + 1}` : null,
    };
  });
}

export function generateLeads(orgIndex: number, count: number): FakeRecord[] {
  const rand = seededRandom(orgIndex * 104729 + 11);
  return Array.from({ length: count }, (_, i) => {
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const [city, country] = pick(rand, CITIES);
    return {
      Id: recordId('00Q', orgIndex, i + 1),
      FirstName: first,
      LastName: last,
      Title: pick(rand, TITLES),
      Company: `${last} ${pick(rand, ['GmbH', 'SAS', 'Ltd', 'Inc.'])}`,
      City: city,
      Country: country,
      Email: `lead.${i + 1}@example.org`,
      Phone: rand() < 0.7 ? `+49 30 ${String(100000 + i)}` : null,
      MobilePhone: null,
      LeadSource: pick(rand, SOURCES),
      Status: 'Open - Not Contacted',
      IsConverted: false,
      CreatedDate: `${isoDate(rand, 2020, 4)}T09:00:00.000+0000`,
    };
  });
}

export function generateAccounts(orgIndex: number, count: number): FakeRecord[] {
  const rand = seededRandom(orgIndex * 15485863 + 5);
  return Array.from({ length: count }, (_, i) => {
    const last = pick(rand, LAST);
    const [city, country] = pick(rand, CITIES);
    const slug = last.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    return {
      Id: recordId('001', orgIndex, i + 1),
      Name: `${last} & Co ${i + 1}`,
      Type: 'Customer - Direct',
      Website: rand() < 0.8 ? `https://www.${slug}${i + 1}.example.com/` : null,
      BillingStreet: `${1 + i} Market Square`,
      BillingCity: city,
      BillingCountry: country,
      Industry: pick(rand, INDUSTRIES),
      NumberOfEmployees: 1 + Math.floor(rand() * 5000),
      AnnualRevenue: Math.round(rand() * 1e9) / 100,
      Description: rand() < 0.5 ? `Founded by the ${last} family.\nSecond line.` : null,
      YearStarted: String(1900 + Math.floor(rand() * 120)),
      CreatedDate: `${isoDate(rand, 2012, 10)}T12:00:00.000+0000`,
    };
  });
}
