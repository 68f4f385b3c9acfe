import type { CrmField, CrmKind } from '../../../shared/schema/crm.ts';
import type { ExportProblem, ExportSettings } from '../../../shared/schema/crmExport.ts';

/** Where a new integration starts: contacts matched by email, nothing written yet but what the CRM requires. */
export function startingSettings(kind: CrmKind): ExportSettings {
  return {
    people: {
      target: 'contact',
      identifiers: [{ platformField: 'email', crmProperty: kind === 'salesforce' ? 'Email' : 'emailaddress1' }],
      fields: [],
      fixed: [],
      exportTime: [],
      engagement: [],
      campaign: {},
    },
    companies: null,
    owners: { ownerField: null, users: [], defaultOwnerId: null },
    sensitiveAllowed: [],
  };
}

/** The page's four steps, and which settings (by their path's head) each one holds. */
export const STEPS = [
  { id: 'matching', title: 'Matching', heads: [['people', 'identifiers'], ['people', 'target'], ['companies'], ['sensitiveAllowed']] },
  { id: 'mapping', title: 'Export mapping', heads: [['people', 'fields'], ['people', 'fixed'], ['people', 'exportTime'], ['people', 'engagement'], ['people']] },
  { id: 'campaign', title: 'Campaign mapping', heads: [['people', 'campaign']] },
  { id: 'owners', title: 'Owners', heads: [['owners']] },
] as const;
export type StepId = (typeof STEPS)[number]['id'];

/** The step a problem belongs to: the most specific head that starts its path (a bare ["people"] is mapping's). */
export function stepOf(problem: Pick<ExportProblem, 'path'>): StepId {
  let best: { id: StepId; length: number } = { id: 'mapping', length: -1 };
  for (const step of STEPS) {
    for (const head of step.heads) {
      const matches = head.every((part, i) => problem.path[i] === part);
      if (matches && head.length > best.length) best = { id: step.id, length: head.length };
    }
  }
  return best.id;
}

/** "First Name (FirstName)", how a CRM property is offered in a list. */
export const propertyLabel = (f: Pick<CrmField, 'label' | 'name'>) => (f.label === f.name ? f.name : `${f.label} (${f.name})`);

/** Properties a push can write (created or updated), by label; links and ids are set elsewhere. */
export function writableProperties(fields: readonly CrmField[]): CrmField[] {
  const links = new Set(['reference', 'lookup', 'customer', 'owner', 'id', 'uniqueidentifier']);
  return fields.filter((f) => f.createable !== false || f.updateable !== false).filter((f) => !links.has(f.type)).sort((a, b) => a.label.localeCompare(b.label));
}
