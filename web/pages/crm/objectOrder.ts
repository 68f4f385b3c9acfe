import type { CrmImportConfig, CrmObject } from '../../../shared/schema/crm.ts';

// Salesforce API names and Dataverse logical names of the tables marketers import most, in the order offered.
const FIRST = ['contact', 'lead', 'account'];

/**
 * Tables as the picker offers them: Contacts, Leads, Accounts first, other standard tables, then custom ones by
 * label. A table with a saved import stays listed even when the CRM no longer lists it (renamed permissions,
 * a custom object hidden since), so "Import again" and its attributes remain reachable.
 */
export function orderObjects(objects: readonly CrmObject[], configs: readonly Pick<CrmImportConfig, 'object'>[] = []): CrmObject[] {
  const known = new Set(objects.map((o) => o.name));
  const extra: CrmObject[] = configs
    .filter((c) => !known.has(c.object))
    .map((c) => ({ name: c.object, label: c.object, role: 'custom', custom: true }));
  const rank = (o: CrmObject) => {
    const at = FIRST.indexOf(o.name.toLowerCase());
    if (at >= 0 && !o.custom) return at;
    return o.custom ? FIRST.length + 1 : FIRST.length;
  };
  return [...objects, ...extra].sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label));
}

/** What the table becomes on our side, as the picker says it. */
export function roleText(object: Pick<CrmObject, 'role'>): string {
  return object.role === 'lead' ? 'imported as leads' : object.role === 'company' ? 'imported as companies' : 'custom table';
}
