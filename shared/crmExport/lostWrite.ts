import type { FieldChange } from '../schema/crmExport.ts';
import type { RecordPlan } from './planPush.ts';

/**
 * A write whose answer was lost (a 5xx, a dropped connection, a Bulk API 2.0 job still running when we stopped
 * waiting) may have been applied. The push plans the batch again against the CRM as it is then — the records it
 * created are found by their identifiers — and this decides, per member, from its plan before the lost write and
 * the plan after it, what the report says:
 * - planned to be created, now found: the lost write created it → `created`, with the changes it sent;
 * - planned to be updated, now nothing left to change: the lost write updated it → `updated`;
 * - otherwise the new plan stands (not applied: created or updated now; a conflict stays one).
 * What is written next is always the new plan, so nothing is created twice.
 */
export type LostWriteOutcome = { plan: RecordPlan; earlier: { action: 'created' | 'updated'; changes: FieldChange[] } | null };

export function afterLostWrite(before: RecordPlan, after: RecordPlan): LostWriteOutcome {
  const found = after.action === 'update' || after.action === 'skip';
  if (before.action === 'create' && found) return { plan: after, earlier: { action: 'created', changes: before.changes } };
  if (before.action === 'update' && after.action === 'skip' && before.recordId === after.recordId) {
    return { plan: after, earlier: { action: 'updated', changes: before.changes } };
  }
  return { plan: after, earlier: null };
}
