import { companiesOf, companyLink, companyPlanSettings, linkedMember, planCompany, withCompanyLink, type CompanyGroup } from '../../shared/crmExport/planCompanies.ts';
import { companyObject } from '../../shared/crmExport/exportObjects.ts';
import { propertiesRead, type PlanSettings, type RecordPlan } from '../../shared/crmExport/planPush.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import type { CompanyExport } from '../../shared/schema/crmExport.ts';
import { CrmError, type CrmRecordRef, type CrmWriteResult, type CrmWriter } from '../connectors/connector.ts';
import type { ScopedMember } from './pushMembers.ts';

/** The CrmWriter's lookups take at most 200 values a call. */
const LOOKUP_CHUNK = 200;

/** The people of a batch ready to plan: the settings with the company link, each member with its link's value. */
export type LinkedPeople = { settings: PlanSettings; members: ScopedMember[] };

async function findCompanies(writer: CrmWriter, object: string, property: string, groups: readonly CompanyGroup[], fields: string[]): Promise<CrmRecordRef[]> {
  const values = groups.map((g) => g.value);
  const found: CrmRecordRef[] = [];
  for (let i = 0; i < values.length; i += LOOKUP_CHUNK) found.push(...(await writer.findBy(object, property, values.slice(i, i + LOOKUP_CHUNK), fields)));
  return found;
}

/**
 * Upserts the companies of a batch as Accounts (shared/crmExport/planCompanies: one record per company identifier
 * value, found by it or created with it) before the people are planned, and hands back the people linked to them.
 * Creates are sent once; a lost answer is followed by one lookup and write of what is still missing, as for people,
 * so no retry creates a second Account. A company in conflict (several Accounts with its name) or refused by the
 * CRM gets no link: its people are written without one. With Leads no Account is written (see planCompanies).
 */
export async function linkCompanies(
  writer: CrmWriter,
  kind: CrmKind,
  people: PlanSettings,
  companies: CompanyExport | null,
  members: ScopedMember[],
  mode: 'write' | 'preview',
): Promise<LinkedPeople> {
  if (!companies) return { settings: people, members };
  const link = companyLink(kind, people.people.target);
  const settings = withCompanyLink(people, link);
  const groups = companiesOf(members, companies, people.sensitiveAllowed);
  // By member once: a step holds thousands of members.
  const groupByMember = new Map(groups.flatMap((g) => g.members.map((m) => [m, g] as const)));
  const groupOf = (m: ScopedMember) => groupByMember.get(m);
  if (link.by === 'name') return { settings, members: members.map((m) => linkedMember(m, groupOf(m)?.value ?? null)) };

  const object = companyObject(kind);
  const accountSettings = companyPlanSettings(companies, people.sensitiveAllowed, people.ownerProperty);
  const fields = propertiesRead(accountSettings);
  const property = companies.identifier.crmProperty;
  const plan = async () => {
    const found = await findCompanies(writer, object, property, groups, fields);
    return groups.map((g) => ({ group: g, plan: planCompany(g, accountSettings, found) }));
  };
  const write = async (planned: { group: CompanyGroup; plan: RecordPlan }[]) => {
    const writing = planned.filter((p) => p.plan.action === 'create' || p.plan.action === 'update');
    const ops = writing.map((p) => {
      const values = Object.fromEntries(p.plan.changes.map((c) => [c.crmProperty, c.newValue]));
      return p.plan.action === 'create' ? { kind: 'create' as const, values } : { kind: 'update' as const, id: p.plan.recordId ?? '', values };
    });
    const results = ops.length > 0 ? await writer.write(object, ops, { resendCreates: false }) : [];
    return new Map(writing.flatMap((p, i) => (results[i] ? [[p.group, results[i]] as const] : [])));
  };
  let planned = groups.length > 0 ? await plan() : [];
  let results = new Map<CompanyGroup, CrmWriteResult>();
  // The preview writes nothing: people of a company not yet in the CRM show no link in their diff.
  if (mode === 'write') {
    try {
      results = await write(planned);
    } catch (e) {
      if (!(e instanceof CrmError && e.code === 'crm_unavailable')) throw e;
      planned = await plan();
      results = await write(planned);
    }
  }
  const accountOf = new Map<CompanyGroup, string>();
  for (const p of planned) {
    const result = results.get(p.group);
    if (result?.ok) accountOf.set(p.group, result.id);
    else if (!result && p.plan.recordId && p.plan.action !== 'conflict' && p.plan.action !== 'create') accountOf.set(p.group, p.plan.recordId);
  }
  return {
    settings,
    members: members.map((m) => {
      const g = groupOf(m);
      return linkedMember(m, g ? (accountOf.get(g) ?? null) : null);
    }),
  };
}
