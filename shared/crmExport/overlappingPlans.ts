import type { LostWriteOutcome } from './lostWrite.ts';
import { identifierValue, type PlanSettings, type PushMember, type RecordPlan } from './planPush.ts';

/** A member's plan and the ids of the CRM records it was made from (the remembered one and those found). */
export type SeenPlan = { member: PushMember; plan: RecordPlan; seen: readonly string[] };

/** A written member as the push keeps it: its plan, what a lost write did to its record first, and the CRM's answer. */
export type WrittenPlan = { member: PushMember; plan: RecordPlan; earlier: LostWriteOutcome['earlier']; resultId: string | null };

/** An identifier value as the CRMs compare it (trimmed, lower case); null when empty. */
const identifierKey = (value: string | null | undefined): string | null => value?.trim().toLowerCase() || null;

/**
 * The members of a batch planned while the batch before it was being written whose plans that write may have made
 * wrong: those planned from a record the write wrote, and those with an identifier value the write put into that
 * identifier's property (a record created with it, or updated to it, that their lookups could not see yet). Every
 * other plan is what planning after the write would have made. Ids compare without case (Dataverse GUIDs).
 */
export function plansToRedo<P extends SeenPlan>(planned: readonly P[], written: readonly WrittenPlan[], settings: PlanSettings): P[] {
  const ids = new Set<string>();
  const values = new Map(settings.people.identifiers.map((i) => [i.crmProperty, new Set<string>()]));
  for (const w of written) {
    // A skip after a lost write can still have written (its first try did): `earlier` says so.
    if (w.plan.action !== 'create' && w.plan.action !== 'update' && !w.earlier) continue;
    if (w.plan.recordId) ids.add(w.plan.recordId.toLowerCase());
    if (w.resultId) ids.add(w.resultId.toLowerCase());
    for (const change of [...w.plan.changes, ...(w.earlier?.changes ?? [])]) {
      const key = identifierKey(change.newValue);
      if (key !== null) values.get(change.crmProperty)?.add(key);
    }
  }
  if (ids.size === 0 && [...values.values()].every((v) => v.size === 0)) return [];
  return planned.filter(
    (p) =>
      p.seen.some((id) => ids.has(id.toLowerCase())) ||
      settings.people.identifiers.some((i) => {
        const key = identifierKey(identifierValue(p.member, i, settings.sensitiveAllowed));
        return key !== null && (values.get(i.crmProperty)?.has(key) ?? false);
      }),
  );
}
