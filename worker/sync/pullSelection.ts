import type { CrmFilter } from '../../shared/schema/crm.ts';
import type { SyncSettings } from '../../shared/schema/syncs.ts';

/** What a run asks the CRM for: the mapped fields, the stamp (for the high-water mark) and the flag field. */
export function pullSelection(settings: SyncSettings, stampField: string, changedSince: string | null): { fields: string[]; filters: CrmFilter[] } {
  const fields = [...new Set([...settings.mapping.columns.map((c) => c.column), stampField, ...(settings.flagField ? [settings.flagField] : [])])];
  // The flag is read, not filtered on: a record whose flag turned false must come back to leave the audience.
  const filters: CrmFilter[] = [...settings.filters];
  if (changedSince !== null) filters.push({ field: stampField, operator: 'greater_than', value: changedSince });
  return { fields, filters };
}
