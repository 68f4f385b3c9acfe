import type { FieldChange } from '../../../shared/schema/crmExport.ts';
import type { PushCompanyLine } from '../../../shared/schema/crmPush.ts';

/**
 * The words of the push panel's report, pure. A change is shown by the CRM's label of its property (from the preview
 * the panel ran first; the API name when there is none) and its value as people know it: an Account id by the name of
 * the company it was written for (the report's Accounts say which).
 */
export function changesText(changes: readonly FieldChange[], labels: Readonly<Record<string, string>>, companies: readonly PushCompanyLine[]): string {
  const companyOf = new Map(companies.flatMap((c) => (c.recordId ? [[c.recordId, c.company] as const] : [])));
  return changes
    .map((change) => {
      const value = change.newValueName ?? (change.newValue ? (companyOf.get(change.newValue) ?? change.newValue) : '(empty)');
      return `${labels[change.crmProperty] ?? change.crmProperty}: ${value}`;
    })
    .join(', ');
}
