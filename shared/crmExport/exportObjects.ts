import type { CrmKind } from '../schema/crm.ts';
import type { PeopleTarget } from '../schema/crmExport.ts';

/** The CRM table people are written to: Salesforce API names, Dataverse logical names. */
export function peopleObject(kind: CrmKind, target: PeopleTarget): string {
  if (kind === 'salesforce') return target === 'lead' ? 'Lead' : 'Contact';
  return target === 'lead' ? 'lead' : 'contact';
}

/** The CRM table companies are written to. */
export function companyObject(kind: CrmKind): string {
  return kind === 'salesforce' ? 'Account' : 'account';
}
