import { plansToRedo } from '../../shared/crmExport/overlappingPlans.ts';
import type { LostWriteOutcome } from '../../shared/crmExport/lostWrite.ts';
import type { PlanSettings } from '../../shared/crmExport/planPush.ts';
import type { CrmWriteResult } from '../connectors/connector.ts';
import type { PlannedMember } from './planBatch.ts';
import type { ScopedMember } from './pushMembers.ts';

/** A written batch as pushBatch.ts keeps it: each member's plan, what a lost write did first, and the CRM's answers. */
export type WrittenBatch = {
  members: readonly (PlannedMember & { earlier: LostWriteOutcome['earlier'] })[];
  results: ReadonlyMap<number, CrmWriteResult>;
};

/**
 * The plans of a batch planned while the batch before it was being written, brought up to date with that write: the
 * members it may have changed something for (plansToRedo) — usually none, members of an audience rarely sharing
 * identifier values — are planned again now, after the write.
 */
export async function replanAfter(
  planned: readonly PlannedMember[],
  written: WrittenBatch,
  settings: PlanSettings,
  plan: (members: readonly ScopedMember[]) => Promise<PlannedMember[]>,
): Promise<PlannedMember[]> {
  const writtenPlans = written.members.map((p) => {
    const result = written.results.get(p.member.memberId);
    return { member: p.member, plan: p.plan, earlier: p.earlier, resultId: result?.ok ? result.id : null };
  });
  const redo = plansToRedo(planned, writtenPlans, settings);
  if (redo.length === 0) return [...planned];
  const again = new Map((await plan(redo.map((p) => p.member))).map((p) => [p.member.memberId, p]));
  return planned.map((p) => again.get(p.member.memberId) ?? p);
}
