import type { ImportPlan } from '../../shared/schema/importPlan.ts';

// Plenty for the imports one isolate serves at once; the oldest is forgotten first.
const MAX_PLANS = 256;
const plans = new Map<string, ImportPlan>();

const keyOf = (workspaceId: string, importId: string) => `${workspaceId}\u0000${importId}`;

/**
 * Plans of imports this isolate has already read. A plan never changes after the import starts, so knowing it lets
 * a batch be classified before its first query, and its identifiers looked up in that same query.
 */
export function knownPlan(workspaceId: string, importId: string): ImportPlan | undefined {
  return plans.get(keyOf(workspaceId, importId));
}

export function rememberPlan(workspaceId: string, importId: string, plan: ImportPlan): void {
  const key = keyOf(workspaceId, importId);
  plans.delete(key);
  plans.set(key, plan);
  if (plans.size > MAX_PLANS) plans.delete(plans.keys().next().value as string);
}
