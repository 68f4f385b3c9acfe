import { peopleObject } from '../../shared/crmExport/exportObjects.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import type { PeopleTarget } from '../../shared/schema/crmExport.ts';

/** The CRM table people are written to (shared/crmExport/exportObjects), and its owner property, per CRM. */
export function peopleTable(kind: CrmKind, target: PeopleTarget): { object: string; ownerProperty: string } {
  return { object: peopleObject(kind, target), ownerProperty: kind === 'salesforce' ? 'OwnerId' : 'ownerid' };
}
