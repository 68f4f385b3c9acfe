import type { IssueDetail } from '../domainError.ts';
import type { ImportPlan } from './importPlan.ts';

/** What an audience fixed with its first import: the field that identifies members, and its sensitive fields. */
export type AudienceShape = { identifierField: string; sensitiveFields: readonly string[] };

export type AlignedPlan =
  | {
      ok: true;
      plan: ImportPlan;
      /** The audience's shape after this import starts. */
      shape: AudienceShape;
      /** Fields this import makes sensitive: their values already stored must be sealed and hashed in place. */
      newlySensitive: string[];
      /** What was changed from the mapping as given, said to the user in the import summary. */
      notices: string[];
    }
  | { ok: false; issues: IssueDetail[] };

/**
 * Sensitivity and the identifier belong to the audience, not to one import: the first import fixes them, and a
 * later one is aligned — its identifier becomes the audience's identifier field, a field sensitive in the audience
 * is sensitive in this import too, and a field this import marks sensitive becomes sensitive for the audience
 * (never the reverse: a sealed field is never unsealed by an import). One person is then one key in every import,
 * and no field holds plain text in some members and ciphertext in others. Pure.
 */
export function alignPlan(plan: ImportPlan, audience: AudienceShape | null, labelOf: (field: string) => string): AlignedPlan {
  const chosen = plan.columns[plan.identifierIndex];
  if (!chosen) return { ok: false, issues: [{ path: ['mapping', 'identifier'], message: 'the identifier column is not imported' }] };
  if (!audience) {
    const sensitiveFields = [...new Set(plan.columns.filter((c) => c.sensitive).map((c) => c.target))];
    return { ok: true, plan, shape: { identifierField: chosen.target, sensitiveFields }, newlySensitive: [], notices: [] };
  }

  const notices: string[] = [];
  let identifierIndex = plan.identifierIndex;
  if (chosen.target !== audience.identifierField) {
    identifierIndex = plan.columns.findIndex((c) => c.target === audience.identifierField);
    const field = labelOf(audience.identifierField);
    if (identifierIndex < 0) {
      return {
        ok: false,
        issues: [
          {
            path: ['mapping', 'identifier'],
            message: `this audience identifies its members by ${field}; map a column to ${field} to import into it`,
          },
        ],
      };
    }
    const column = plan.columns[identifierIndex]?.column ?? '';
    notices.push(`This audience identifies its members by ${field}, so the column "${column}" is the identifier of this import (not "${chosen.column}").`);
  }

  const sensitive = new Set(audience.sensitiveFields);
  const newlySensitive: string[] = [];
  const columns = plan.columns.map((c) => {
    if (sensitive.has(c.target) && !c.sensitive) {
      notices.push(`${labelOf(c.target)} is sensitive in this audience, so the column "${c.column}" is stored hashed and encrypted too.`);
      return { ...c, sensitive: true };
    }
    if (c.sensitive && !sensitive.has(c.target) && !newlySensitive.includes(c.target)) {
      newlySensitive.push(c.target);
      notices.push(`${labelOf(c.target)} is now sensitive in this audience: the values already stored were hashed and encrypted in place.`);
    }
    return c;
  });
  return {
    ok: true,
    plan: { ...plan, columns, identifierIndex },
    shape: { identifierField: audience.identifierField, sensitiveFields: [...audience.sensitiveFields, ...newlySensitive] },
    newlySensitive,
    notices,
  };
}
