import type { CrmKind } from '../../shared/schema/crm.ts';
import type { PeopleTarget } from '../../shared/schema/crmExport.ts';

/** The CRM table people are written to, and its owner property, per CRM (API names as the CrmWriter takes them). */
export function peopleTable(kind: CrmKind, target: PeopleTarget): { object: string; ownerProperty: string } {
  if (kind === 'salesforce') return { object: target === 'lead' ? 'Lead' : 'Contact', ownerProperty: 'OwnerId' };
  return { object: target, ownerProperty: 'ownerid' };
}
