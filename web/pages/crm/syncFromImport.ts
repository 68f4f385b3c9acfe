import type { CrmField, CrmImportConfig } from '../../../shared/schema/crm.ts';
import type { ImportSummary } from '../../../shared/schema/imports.ts';
import type { SyncSettings, UpdateCycle } from '../../../shared/schema/syncs.ts';
import { planColumns } from './crmColumns.ts';

export type SyncDraft = { ok: true; settings: SyncSettings; leftOut: string[] } | { ok: false; reason: string };

/**
 * The sync that keeps a finished CRM import's audience up to date: the same table, filters and mapping, with the
 * grid's column headers (field labels) turned back into the fields' API names the Worker pulls. Columns derived in
 * the tab ("Website (domain)") have no field to pull and are left out, and said so; a derived key field cannot be
 * synced at all.
 */
export function syncFromImport(
  summary: Pick<ImportSummary, 'source' | 'mapping' | 'defaultCountry'>,
  config: Pick<CrmImportConfig, 'attributes' | 'filters'> | null,
  fields: readonly Pick<CrmField, 'name' | 'label'>[],
  cycle: UpdateCycle,
  name: string,
): SyncDraft {
  const source = summary.source;
  if (source.kind === 'csv') return { ok: false, reason: 'Only imports from a CRM can be kept in sync.' };
  // Without the saved selection, the fields are the ones whose label is a header of the import.
  const attributes = config?.attributes ?? fields.filter((f) => source.headers.includes(f.label.trim() || f.name)).map((f) => f.name);
  const fieldOf = new Map(planColumns(attributes, fields, []).map((c) => [c.header, c.source]));
  const columns: SyncSettings['mapping']['columns'] = [];
  const leftOut: string[] = [];
  for (const c of summary.mapping.columns) {
    const field = fieldOf.get(c.column);
    if (field === undefined) {
      if (c.target !== null) leftOut.push(c.column);
      continue;
    }
    if (!columns.some((x) => x.column === field)) columns.push({ column: field, target: c.target, sensitive: c.sensitive });
  }
  const identifier = fieldOf.get(summary.mapping.identifier);
  if (identifier === undefined) {
    return { ok: false, reason: `The key field “${summary.mapping.identifier}” is computed in the browser, so the server cannot keep it in step.` };
  }
  return {
    ok: true,
    leftOut,
    settings: {
      name,
      object: source.object,
      filters: config?.filters ?? [],
      mapping: { columns, identifier, onMatch: summary.mapping.onMatch },
      cycle,
      deletionRule: 'remove_member',
      flagField: null,
      defaultCountry: summary.defaultCountry,
    },
  };
}
