import type { CrmKind } from '../schema/crm.ts';
import type { CompanyExport, ExportFieldMapping, PeopleTarget } from '../schema/crmExport.ts';
import { planRecord, sameIdentifier, sendableValue, type PlanSettings, type PushMember, type RecordPlan, type RecordSnapshot } from './planPush.ts';

/**
 * Companies as Accounts (ExportSettings.companies), pure like planPush: the members of a batch grouped by their
 * company identifier value, each company planned as one record with planRecord's rules (matched by the identifier,
 * created with it, fields by overwrite and direction, fixed values; no owner, campaign or engagement values), then
 * each person tied to its company by one more mapped field whose value is the Account's id.
 *
 * Salesforce Leads have no AccountId (a lead becomes a contact of an account only when converted), and Dataverse
 * leads are not linked to accounts by the push either: with Leads no Account is written, the company's name goes to
 * the lead's company text (Lead.Company, lead.companyname).
 */

/** The platform-side key of the value linking a person to its company; ':' keeps it apart from every real field key. */
export const COMPANY_LINK_FIELD = 'company:link';

/** How a person record names its company: by the Account's id (a lookup) or by the company's name (text). */
export type CompanyLink = { property: string; by: 'record' | 'name' };

export function companyLink(kind: CrmKind, target: PeopleTarget): CompanyLink {
  if (kind === 'salesforce') return target === 'lead' ? { property: 'Company', by: 'name' } : { property: 'AccountId', by: 'record' };
  return target === 'lead' ? { property: 'companyname', by: 'name' } : { property: 'parentcustomerid', by: 'record' };
}

/** The members of one company, by the company identifier value as the first of them has it. */
export type CompanyGroup = { value: string; members: PushMember[] };

/** Groups members by company identifier value, compared as the CRMs compare text (case-insensitive); members without one are in no group. */
export function companiesOf(members: readonly PushMember[], companies: CompanyExport, sensitiveAllowed: readonly string[]): CompanyGroup[] {
  const groups = new Map<string, CompanyGroup>();
  for (const member of members) {
    const value = sendableValue(member, companies.identifier.platformField, sensitiveAllowed);
    if (value === null) continue;
    const group = groups.get(value.toLowerCase());
    if (group) group.members.push(member);
    else groups.set(value.toLowerCase(), { value, members: [member] });
  }
  return [...groups.values()];
}

/** planRecord's settings for an Account: the company identifier (also written on create), its fields and fixed values. */
export function companyPlanSettings(companies: CompanyExport, sensitiveAllowed: readonly string[], ownerProperty: string): PlanSettings {
  return {
    people: { target: 'contact', identifiers: [companies.identifier], fields: companies.fields, fixed: companies.fixed, exportTime: [], engagement: [], campaign: {} },
    owners: { ownerField: null, users: [], defaultOwnerId: null },
    sensitiveAllowed: [...sensitiveAllowed],
    ownerProperty,
  };
}

/** A company as one record to plan: each field's value from the first member who has one, its newest change as its own. */
export function companyMember(group: CompanyGroup): PushMember {
  const values: Record<string, string> = {};
  for (const m of group.members) for (const [field, value] of Object.entries(m.values)) if (values[field] === undefined && value.trim() !== '') values[field] = value;
  return {
    id: `company:${group.value.toLowerCase()}`,
    key: group.value.toLowerCase(),
    values,
    sensitiveFields: [...new Set(group.members.flatMap((m) => m.sensitiveFields))],
    updatedAt: group.members.map((m) => m.updatedAt).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a)),
    engagement: null,
  };
}

/**
 * What to do to a company's Account: the Account remembered for it (an earlier push's, still in the CRM) if any, as
 * for people; else the Accounts its identifier value found.
 */
export function planCompany(group: CompanyGroup, settings: PlanSettings, found: readonly RecordSnapshot[], remembered: RecordSnapshot | null = null): RecordPlan {
  const property = settings.people.identifiers[0]?.crmProperty ?? '';
  const matching = remembered ? [] : found.filter((r) => sameIdentifier(r.values[property], group.value));
  return planRecord(companyMember(group), settings, { exportTimeValues: {}, runnerEmail: null }, { remembered, byIdentifier: [matching] });
}

/** The people settings with the company link as one more mapped field: written whenever it differs, never blanked. */
export function withCompanyLink(settings: PlanSettings, link: CompanyLink): PlanSettings {
  const mapping: ExportFieldMapping = { platformField: COMPANY_LINK_FIELD, crmProperty: link.property, direction: 'to_crm', overwrite: true, defaultOnCreate: null };
  const fields = [...settings.people.fields.filter((f) => f.crmProperty.toLowerCase() !== link.property.toLowerCase()), mapping];
  return { ...settings, people: { ...settings.people, fields } };
}

/** A member carrying its company link's value: the Account's id, or the company's name for a lead. */
export function linkedMember<M extends PushMember>(member: M, value: string | null): M {
  return value === null ? member : { ...member, values: { ...member.values, [COMPANY_LINK_FIELD]: value } };
}
