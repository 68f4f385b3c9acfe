import { companiesOf, companyLink, companyPlanSettings, linkedMember, planCompany, withCompanyLink, type CompanyGroup } from '../../shared/crmExport/planCompanies.ts';
import { companyObject } from '../../shared/crmExport/exportObjects.ts';
import { afterLostWrite, type LostWriteOutcome } from '../../shared/crmExport/lostWrite.ts';
import { propertiesRead, type PlanSettings, type RecordPlan, type RecordSnapshot } from '../../shared/crmExport/planPush.ts';
import { SENSITIVE_MASK } from '../../shared/fields/sensitiveMask.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import type { CompanyExport } from '../../shared/schema/crmExport.ts';
import type { PushRecordOutcome } from '../../shared/schema/crmPush.ts';
import { CrmError, type CrmRecordRef, type CrmWriteResult, type CrmWriter } from '../connectors/connector.ts';
import type { ScopedMember } from './pushMembers.ts';

/** The CrmWriter's lookups take at most 200 values a call. */
const LOOKUP_CHUNK = 200;

/** Duplicate detection refusals: Salesforce duplicate rules, Dataverse duplicate detection rules. */
const DUPLICATE_CODES = new Set(['DUPLICATES_DETECTED', '0x80040333']);

const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Which Account each company is (crm_company_links, worker/push/companyLinks.ts), by company key: an opaque key of
 * the identifier value, so a sensitive company name is never stored.
 */
export type AccountMemory = {
  /** The company key of each identifier value, in order. */
  keysOf(values: readonly string[]): Promise<string[]>;
  /** The remembered Account id of each key that has one. */
  recall(keys: readonly string[]): Promise<Map<string, string>>;
};

/** What a batch did to one company's Account: a line of the report's Accounts, and the link to remember. */
export type CompanyOutcome = {
  key: string;
  label: string;
  recordId: string | null;
  action: PushRecordOutcome;
  message: string | null;
  vendorCode: string | null;
  members: readonly ScopedMember[];
};

/** The people of a batch ready to plan: the settings with the company link, each member with its link's value, and what became of their companies. */
export type LinkedPeople = { settings: PlanSettings; members: ScopedMember[]; companies: CompanyOutcome[] };

async function findCompanies(writer: CrmWriter, object: string, property: string, groups: readonly CompanyGroup[], fields: string[]): Promise<CrmRecordRef[]> {
  const found: CrmRecordRef[] = [];
  for (const part of chunks(groups.map((g) => g.value), LOOKUP_CHUNK)) found.push(...(await writer.findBy(object, property, part, fields)));
  return found;
}

type PlannedCompany = { group: CompanyGroup; key: string; plan: RecordPlan; earlier: LostWriteOutcome['earlier'] };

/** The report's words for a company, from its plan and what the CRM answered (as lineOf does for people). */
function outcomeOf(p: PlannedCompany, result: CrmWriteResult | undefined): Omit<CompanyOutcome, 'key' | 'label' | 'members'> {
  if (p.plan.action === 'conflict') return { recordId: null, action: 'conflict', message: p.plan.reason, vendorCode: null };
  if (p.plan.action === 'skip') return { recordId: p.plan.recordId, action: p.earlier?.action ?? 'skipped', message: null, vendorCode: null };
  if (!result) return { recordId: p.plan.recordId, action: 'failed', message: 'The CRM gave no answer for this Account.', vendorCode: null };
  if (!result.ok) {
    // Salesforce words a duplicate rule's refusal as a question to a person at a screen ("Use one of these records?").
    if (DUPLICATE_CODES.has(result.vendorCode)) {
      return {
        recordId: p.plan.recordId,
        action: 'failed',
        message: `The CRM’s duplicate rule refused the Account: it matches an Account already there (the CRM said “${result.message}”). Correct the company’s details or that Account, then push again.`,
        vendorCode: result.vendorCode,
      };
    }
    const fields = result.fields.length > 0 ? ` (${result.fields.join(', ')})` : '';
    return { recordId: p.plan.recordId, action: 'failed', message: `The CRM refused the Account${fields}: ${result.message}`, vendorCode: result.vendorCode };
  }
  return { recordId: result.id, action: p.earlier?.action ?? (p.plan.action === 'create' ? 'created' : 'updated'), message: null, vendorCode: null };
}

/**
 * Upserts the companies of a batch as Accounts (shared/crmExport/planCompanies: one record per company identifier
 * value) before the people are planned, and hands back the people linked to them. A company is the Account an
 * earlier push wrote for it (AccountMemory) while the CRM still has it, else the Account its identifier finds, else
 * a new one. Creates are sent once; a lost answer is followed by one lookup and write of what is still missing, as
 * for people, so no retry creates a second Account. A company in conflict (several Accounts with its name) or
 * refused by the CRM gets no link: its people are written without one, and the outcome says why. With Leads no
 * Account is written (see planCompanies).
 */
export async function linkCompanies(
  writer: CrmWriter,
  kind: CrmKind,
  people: PlanSettings,
  companies: CompanyExport | null,
  members: ScopedMember[],
  memory: AccountMemory,
  mode: 'write' | 'preview',
): Promise<LinkedPeople> {
  if (!companies) return { settings: people, members, companies: [] };
  const link = companyLink(kind, people.people.target);
  const settings = withCompanyLink(people, link);
  const groups = companiesOf(members, companies, people.sensitiveAllowed);
  const groupOf = new Map(groups.flatMap((g) => g.members.map((m) => [m.id, g] as const)));
  if (link.by === 'name') return { settings, members: members.map((m) => linkedMember(m, groupOf.get(m.id)?.value ?? null)), companies: [] };
  if (groups.length === 0) return { settings, members, companies: [] };

  const object = companyObject(kind);
  const accountSettings = companyPlanSettings(companies, people.sensitiveAllowed, people.ownerProperty);
  const fields = propertiesRead(accountSettings);
  const property = companies.identifier.crmProperty;
  const keys = await memory.keysOf(groups.map((g) => g.value.toLowerCase()));
  const keyOf = new Map(groups.map((g, i) => [g, keys[i] ?? '']));
  const recalled = await memory.recall(keys);
  const plan = async (): Promise<PlannedCompany[]> => {
    const byId = new Map<string, RecordSnapshot>();
    for (const ids of chunks([...new Set(recalled.values())], LOOKUP_CHUNK)) for (const r of await writer.getByIds(object, ids, fields)) byId.set(r.id, r);
    const rememberedOf = (g: CompanyGroup) => byId.get(recalled.get(keyOf.get(g) ?? '') ?? '') ?? null;
    // Only companies without a remembered Account (or whose Account the CRM no longer has) are looked up by name.
    const found = await findCompanies(writer, object, property, groups.filter((g) => !rememberedOf(g)), fields);
    return groups.map((g) => ({ group: g, key: keyOf.get(g) ?? '', plan: planCompany(g, accountSettings, found, rememberedOf(g)), earlier: null }));
  };
  const write = async (planned: readonly PlannedCompany[]) => {
    const writing = planned.filter((p) => p.plan.action === 'create' || p.plan.action === 'update');
    const ops = writing.map((p) => {
      const values = Object.fromEntries(p.plan.changes.map((c) => [c.crmProperty, c.newValue]));
      return p.plan.action === 'create' ? { kind: 'create' as const, values } : { kind: 'update' as const, id: p.plan.recordId ?? '', values };
    });
    const results = ops.length > 0 ? await writer.write(object, ops, { resendCreates: false }) : [];
    return new Map(writing.flatMap((p, i) => (results[i] ? [[p.group, results[i]] as const] : [])));
  };
  let planned = await plan();
  let results = new Map<CompanyGroup, CrmWriteResult>();
  // The preview writes nothing: people of a company not yet in the CRM show no link in their diff.
  if (mode === 'write') {
    try {
      results = await write(planned);
    } catch (e) {
      if (!(e instanceof CrmError && e.code === 'crm_unavailable')) throw e;
      const before = new Map(planned.map((p) => [p.group, p.plan]));
      planned = (await plan()).map((p) => {
        const earlier = before.get(p.group);
        return earlier ? { ...p, ...afterLostWrite(earlier, p.plan) } : p;
      });
      results = await write(planned);
    }
  }
  // Once per step, not a scan of the batch per company: a batch of 10,000 people may name thousands of companies.
  const membersOf = new Map<CompanyGroup, ScopedMember[]>();
  for (const m of members) {
    const g = groupOf.get(m.id);
    if (!g) continue;
    const list = membersOf.get(g);
    if (list) list.push(m);
    else membersOf.set(g, [m]);
  }
  const outcomes = planned.map((p): CompanyOutcome => {
    const outcome =
      mode === 'write'
        ? outcomeOf(p, results.get(p.group))
        : { recordId: p.plan.action === 'conflict' || p.plan.action === 'create' ? null : p.plan.recordId, action: 'skipped' as const, message: null, vendorCode: null };
    const sensitive = p.group.members.some((m) => m.sensitiveFields.includes(companies.identifier.platformField));
    return { key: p.key, label: sensitive ? SENSITIVE_MASK : p.group.value, ...outcome, members: membersOf.get(p.group) ?? [] };
  });
  const accountOf = new Map(planned.map((p, i) => [p.group, outcomes[i]?.action === 'failed' || outcomes[i]?.action === 'conflict' ? null : (outcomes[i]?.recordId ?? null)]));
  return {
    settings,
    members: members.map((m) => {
      const g = groupOf.get(m.id);
      return linkedMember(m, g ? (accountOf.get(g) ?? null) : null);
    }),
    companies: mode === 'write' ? outcomes : [],
  };
}

/** The note on a person's report line whose company got no Account: which company, and why, in plain words. */
export function companyNotes(outcomes: readonly CompanyOutcome[]): Map<number, string> {
  const notes = new Map<number, string>();
  for (const o of outcomes) {
    if (o.action !== 'failed' && o.action !== 'conflict') continue;
    const note = `Not linked to the company “${o.label}”: ${o.message ?? 'its Account could not be written.'}`;
    for (const m of o.members) notes.set(m.memberId, note);
  }
  return notes;
}
