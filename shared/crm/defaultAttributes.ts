import type { CrmField, CrmKind, CrmObject } from '../schema/crm.ts';

/**
 * What a CRM import reads and maps when the user has not chosen yet: one pick per platform field. `source` is the
 * CRM field; `derive` says the value is computed from it (the SPA adds that column next to the pulled ones).
 */
export type DefaultPick = { target: string; source: string; derive?: 'domain' };

type Rule = {
  target: string;
  /** Candidates in order of preference: the first one the object has wins. */
  sources: readonly string[];
  /** Fallback for orgs that store it in a custom field of their own naming. */
  match?: RegExp;
  derive?: 'domain';
};

const SALESFORCE_COMPANY_RULES: readonly Rule[] = [
  { target: 'company', sources: ['Name'] },
  { target: 'website', sources: ['Website'] },
  { target: 'domain', sources: ['Website'], derive: 'domain' },
  { target: 'street_address', sources: ['BillingStreet'] },
  { target: 'city', sources: ['BillingCity'] },
  { target: 'country', sources: ['BillingCountry'] },
  { target: 'description', sources: ['Description'] },
  {
    target: 'year_founded',
    sources: ['YearStarted', 'Year_Founded__c', 'YearFounded__c', 'Founded_Year__c', 'Year_Established__c'],
    match: /^(?=.*year)(?=.*(found|start|establish)).*__c$/i,
  },
  { target: 'industry', sources: ['Industry'] },
];

// Contacts keep their address in Mailing*, leads in plain Street/City/Country.
const SALESFORCE_LEAD_RULES: readonly Rule[] = [
  { target: 'first_name', sources: ['FirstName'] },
  { target: 'last_name', sources: ['LastName'] },
  { target: 'professional_email', sources: ['Email'] },
  { target: 'mobile', sources: ['MobilePhone', 'Phone'] },
  { target: 'job_title', sources: ['Title'] },
  { target: 'country', sources: ['MailingCountry', 'Country'] },
];

// Dataverse logical names; custom columns carry the publisher prefix (new_yearfounded, cr123_yearfounded).
const DYNAMICS_COMPANY_RULES: readonly Rule[] = [
  { target: 'company', sources: ['name'] },
  { target: 'website', sources: ['websiteurl'] },
  { target: 'domain', sources: ['websiteurl'], derive: 'domain' },
  { target: 'street_address', sources: ['address1_line1'] },
  { target: 'city', sources: ['address1_city'] },
  { target: 'country', sources: ['address1_country'] },
  { target: 'description', sources: ['description'] },
  { target: 'year_founded', sources: [], match: /^[a-z0-9]+_(?=.*year)(?=.*(found|start|establish))[a-z0-9_]*$/i },
  // A choice column: pulled rows carry its label ("Accounting"), not the option value.
  { target: 'industry', sources: ['industrycode'] },
];

// Contacts and leads share these columns in Dataverse.
const DYNAMICS_LEAD_RULES: readonly Rule[] = [
  { target: 'first_name', sources: ['firstname'] },
  { target: 'last_name', sources: ['lastname'] },
  { target: 'professional_email', sources: ['emailaddress1'] },
  { target: 'mobile', sources: ['mobilephone', 'telephone1'] },
  { target: 'job_title', sources: ['jobtitle'] },
  { target: 'country', sources: ['address1_country'] },
];

const RULES: Record<CrmKind, Partial<Record<CrmObject['role'], readonly Rule[]>>> = {
  salesforce: { company: SALESFORCE_COMPANY_RULES, lead: SALESFORCE_LEAD_RULES },
  dynamics: { company: DYNAMICS_COMPANY_RULES, lead: DYNAMICS_LEAD_RULES },
};

/** The default picks for an object, given the fields its describe offers (custom objects have none). */
export function defaultAttributePicks(
  kind: CrmKind,
  object: Pick<CrmObject, 'role'>,
  fields: readonly Pick<CrmField, 'name'>[],
): DefaultPick[] {
  const names = new Set(fields.map((f) => f.name));
  const picks: DefaultPick[] = [];
  for (const rule of RULES[kind][object.role] ?? []) {
    const source = rule.sources.find((s) => names.has(s)) ?? (rule.match && fields.find((f) => rule.match?.test(f.name))?.name);
    if (!source) continue;
    picks.push(rule.derive ? { target: rule.target, source, derive: rule.derive } : { target: rule.target, source });
  }
  return picks;
}

/** The CRM fields to read for these picks, each once, in pick order. */
export function defaultAttributes(picks: readonly DefaultPick[]): string[] {
  return [...new Set(picks.map((p) => p.source))];
}

/** Grid column name of a derived pick, e.g. "Website (domain)"; a pulled field's column is its API name. */
export function pickColumn(pick: DefaultPick): string {
  return pick.derive ? `${pick.source} (${pick.derive})` : pick.source;
}

export function deriveValue(derive: 'domain', value: string | null): string | null {
  return derive === 'domain' ? domainFromWebsite(value) : null;
}

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** "https://www.Acme.com/about" → "acme.com"; null when the value is not a web address. */
export function domainFromWebsite(website: string | null): string | null {
  const trimmed = website?.trim();
  if (!trimmed) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return null;
  const host = url.hostname.toLowerCase().replace(/\.$/, '').replace(/^www\d*\./, '');
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((l) => HOST_LABEL.test(l)) || !/[a-z]/.test(labels.at(-1) ?? '')) return null;
  return host;
}
