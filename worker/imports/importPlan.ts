import { importedColumns } from '../../shared/mapping/importedColumns.ts';
import type { Field, FieldType } from '../../shared/schema/fields.ts';
import type { StartImportBody } from '../../shared/schema/imports.ts';
import type { ImportPlan, PlannedColumn } from '../../shared/schema/importPlan.ts';
import type { IssueDetail } from '../domainError.ts';

// Defined with the stored shape it is read back as; re-exported for the pipeline's modules.
export type { ImportPlan, PlannedColumn };

export type PlanResult = { ok: true; plan: ImportPlan } | { ok: false; issues: IssueDetail[] };

// Only what a plan reads, so a dry run (which has no consent to give) builds the very same plan.
export function buildImportPlan(body: Pick<StartImportBody, 'source' | 'mapping' | 'defaultCountry'>, fields: readonly Field[]): PlanResult {
  const types = new Map(fields.map((f) => [f.key, f.type]));
  const allowedByKey = new Map(
    fields.flatMap((f) => (f.allowedValues ? [[f.key, { fieldLabel: f.label, values: f.allowedValues, ...(f.multipleValues ? { multiple: true as const } : {}) }] as const] : [])),
  );
  const headers = new Set(body.source.headers);
  const issues: IssueDetail[] = [];
  body.mapping.columns.forEach((c, i) => {
    if (!headers.has(c.column)) {
      issues.push({ path: ['mapping', 'columns', i, 'column'], message: `column "${c.column}" is not in the source headers` });
    }
    if (c.target !== null && !types.has(c.target)) {
      issues.push({ path: ['mapping', 'columns', i, 'target'], message: `unknown field "${c.target}"; create it first` });
    }
  });
  if (issues.length) return { ok: false, issues };
  const columns = importedColumns(body.mapping).map((c) => ({
    column: c.column,
    target: c.target,
    type: types.get(c.target) ?? 'text',
    sensitive: c.sensitive,
    ...(allowedByKey.has(c.target) ? { allowed: allowedByKey.get(c.target) } : {}),
  }));
  const identifierIndex = columns.findIndex((c) => c.column === body.mapping.identifier);
  return {
    ok: true,
    plan: {
      headerCount: body.source.headers.length,
      columns,
      identifierIndex,
      onMatch: body.mapping.onMatch,
      defaultCountry: body.defaultCountry,
    },
  };
}
