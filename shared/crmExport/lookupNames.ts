import type { CrmKind } from '../schema/crm.ts';
import type { FieldChange, PeopleTarget } from '../schema/crmExport.ts';
import { companyLink } from './planCompanies.ts';

/**
 * A push writes lookups as record ids (the owner, the company's Account), but a person reading the preview knows
 * them by name: the owner's name, the company's. Pure: which ids of a sample need a name, and the sample with the
 * names the CRM gave for them. Only the sample is named (at most 20 records), so a preview of any size costs the
 * same two lookups at most.
 */

/** What a lookup property points to: the CRM's users, or the Accounts companies are written to. */
export type LookupTarget = 'user' | 'company';

/** The lookup properties of the people table a push writes, and what each points to. */
export function lookupProperties(kind: CrmKind, target: PeopleTarget, ownerProperty: string): Map<string, LookupTarget> {
  const lookups = new Map<string, LookupTarget>([[ownerProperty.toLowerCase(), 'user']]);
  const link = companyLink(kind, target);
  if (link.by === 'record') lookups.set(link.property.toLowerCase(), 'company');
  return lookups;
}

/**
 * Ids the same record goes by: Salesforce's 15- and 18-character forms of one id (its first 15 characters, which are
 * case-sensitive), Dataverse GUIDs in any case (a polymorphic value may carry its table, `contact:<guid>`).
 */
export function lookupKey(kind: CrmKind, id: string): string {
  const trimmed = id.trim();
  return kind === 'salesforce' ? trimmed.slice(0, 15) : (trimmed.split(':').at(-1) ?? trimmed).toLowerCase();
}

/** The ids of each target the sample's lookup changes hold, now and after, each once. */
export function lookupIdsOf(kind: CrmKind, changes: readonly (readonly FieldChange[])[], lookups: ReadonlyMap<string, LookupTarget>): Map<LookupTarget, string[]> {
  const ids = new Map<LookupTarget, Map<string, string>>();
  for (const change of changes.flat()) {
    const target = lookups.get(change.crmProperty.toLowerCase());
    if (!target) continue;
    for (const value of [change.crmValue, change.newValue]) {
      if (!value) continue;
      const byKey = ids.get(target) ?? new Map<string, string>();
      byKey.set(lookupKey(kind, value), value);
      ids.set(target, byKey);
    }
  }
  return new Map([...ids].map(([target, byKey]) => [target, [...byKey.values()]]));
}

/**
 * The changes with the names of the records their lookups point to (by `lookupKey`); a value whose record the CRM did
 * not name (deleted, a team owning the record, a contact as parent customer) keeps its id alone.
 */
export function withLookupNames(
  kind: CrmKind,
  changes: readonly FieldChange[],
  lookups: ReadonlyMap<string, LookupTarget>,
  names: ReadonlyMap<LookupTarget, ReadonlyMap<string, string>>,
): FieldChange[] {
  return changes.map((change) => {
    const target = lookups.get(change.crmProperty.toLowerCase());
    const named = target ? names.get(target) : undefined;
    if (!named) return change;
    const nameOf = (value: string | null) => (value ? named.get(lookupKey(kind, value)) : undefined);
    const crmValueName = nameOf(change.crmValue);
    const newValueName = nameOf(change.newValue);
    return { ...change, ...(crmValueName !== undefined ? { crmValueName } : {}), ...(newValueName !== undefined ? { newValueName } : {}) };
  });
}
