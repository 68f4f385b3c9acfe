import { companyObject } from '../../shared/crmExport/exportObjects.ts';
import { lookupIdsOf, lookupKey, lookupProperties, withLookupNames, type LookupTarget } from '../../shared/crmExport/lookupNames.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import type { PeopleTarget } from '../../shared/schema/crmExport.ts';
import type { PlannedRecordSample } from '../../shared/schema/crmPush.ts';
import type { CrmWriter } from '../connectors/connector.ts';

/** The field holding an Account's name. */
const ACCOUNT_NAME: Record<CrmKind, string> = { salesforce: 'Name', dynamics: 'name' };

/**
 * The preview's sample with the names of the records its lookups point to (shared/crmExport/lookupNames): the
 * Accounts by one getByIds, the owners from the CRM's users as the settings page lists them (listUsers), both at once
 * and only when the sample has such a change.
 */
export async function nameSampleLookups(writer: CrmWriter, kind: CrmKind, target: PeopleTarget, ownerProperty: string, sample: PlannedRecordSample[]): Promise<PlannedRecordSample[]> {
  const lookups = lookupProperties(kind, target, ownerProperty);
  const ids = lookupIdsOf(
    kind,
    sample.map((s) => s.changes),
    lookups,
  );
  if (ids.size === 0) return sample;
  const names = new Map<LookupTarget, Map<string, string>>();
  await Promise.all(
    [...ids].map(async ([to, list]) => {
      const named = new Map<string, string>();
      if (to === 'user') {
        for (const user of await writer.listUsers()) named.set(lookupKey(kind, user.id), user.name);
      } else {
        const nameField = ACCOUNT_NAME[kind];
        for (const record of await writer.getByIds(companyObject(kind), list, [nameField])) {
          const name = record.values[nameField];
          if (name) named.set(lookupKey(kind, record.id), name);
        }
      }
      names.set(to, named);
    }),
  );
  return sample.map((s) => ({ ...s, changes: withLookupNames(kind, s.changes, lookups, names) }));
}
