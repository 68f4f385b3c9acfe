import type { PlanRun, PlanSettings } from '../../shared/crmExport/planPush.ts';
import type { CrmWriteOp, CrmWriteResult } from '../connectors/connector.ts';
import { peopleTable } from './crmTargets.ts';
import { planBatch, type PlannedMember } from './planBatch.ts';
import { nextMembers, scopeWhere } from './pushMembers.ts';
import { openPushWriter } from './pushDeps.ts';
import { batchWrittenStatements, getPushRow, pushRequestOf, pushSettingsOf, rememberedRecords, type PushRecordLine } from './pushStore.ts';

/** Members per batch: one D1 transaction and a few CRM calls (sObject Collections take 200 records a call). */
export const PUSH_BATCH_MEMBERS = 200;

export type PushBatchOutcome = { done: boolean; handled: number };

/** The report line of a planned member, with what the CRM answered for its write (when there was one). */
function lineOf(p: PlannedMember, result: CrmWriteResult | undefined): PushRecordLine & { memberKey: string } {
  const base = { memberId: p.member.memberId, member: p.member.label, memberKey: p.member.key, changes: p.plan.changes, conflicts: p.plan.conflicts };
  if (p.plan.action === 'conflict') return { ...base, recordId: null, action: 'conflict', message: p.plan.reason, vendorCode: null, changes: [] };
  if (p.plan.action === 'skip') return { ...base, recordId: p.plan.recordId, action: 'skipped', message: 'Already up to date.', vendorCode: null };
  if (!result) return { ...base, recordId: p.plan.recordId, action: 'failed', message: 'The CRM gave no answer for this record.', vendorCode: null };
  if (!result.ok) {
    const fields = result.fields.length > 0 ? ` (${result.fields.join(', ')})` : '';
    return { ...base, recordId: p.plan.recordId, action: 'failed', message: `The CRM refused the record${fields}: ${result.message}`, vendorCode: result.vendorCode };
  }
  return { ...base, recordId: result.id, action: p.plan.action === 'create' ? 'created' : 'updated', message: null, vendorCode: null };
}

export function planSettingsOf(settings: ReturnType<typeof pushSettingsOf>, ownerProperty: string): PlanSettings {
  return { people: settings.people, owners: settings.owners, sensitiveAllowed: settings.sensitiveAllowed, ownerProperty };
}

/**
 * One step of a push: the next members after the cursor, planned against the CRM as it is now, written in one
 * CrmWriter.write (creates and updates together; the connector picks the bulk endpoint), then the report lines,
 * links, counts and cursor in one D1 transaction. Where the push is comes from D1 alone, so a step retried or a push
 * resumed after its Worker died goes on at the first batch not written. A batch whose CRM write succeeded but whose
 * D1 commit was lost is planned again: the records it created are found by their identifiers then, and updated —
 * not created twice — as long as an identifier is among the values written.
 */
export async function pushNextBatch(env: Env, workspaceId: string, pushId: string): Promise<PushBatchOutcome> {
  const db = env.DB;
  const row = await getPushRow(db, workspaceId, pushId);
  if (row.status !== 'running') return { done: true, handled: 0 };
  const request = pushRequestOf(row);
  const settings = pushSettingsOf(row);
  const where = await scopeWhere(env, workspaceId, row.audience_id, request.scope);
  const members = await nextMembers(env, workspaceId, row.audience_id, where, row.after_member_id, PUSH_BATCH_MEMBERS, settings.sensitiveAllowed);
  const last = members.at(-1);
  if (!last) return { done: true, handled: 0 };

  const { writer, kind } = await openPushWriter(env, workspaceId, row.connection_id);
  const { object, ownerProperty } = peopleTable(kind, settings.people.target);
  const runnerEmail = await userEmail(db, row.started_by);
  const run: PlanRun = { exportTimeValues: request.exportTimeValues, runnerEmail };
  const remembered = await rememberedRecords(db, workspaceId, { connectionId: row.connection_id, object, audienceId: row.audience_id }, members.map((m) => m.key));
  const planned = await planBatch(writer, object, planSettingsOf(settings, ownerProperty), run, members, remembered);

  const writing = planned.filter((p) => p.plan.action === 'create' || p.plan.action === 'update');
  const ops: CrmWriteOp[] = writing.map((p) => {
    const values = Object.fromEntries(p.plan.changes.map((c) => [c.crmProperty, c.newValue]));
    return p.plan.action === 'create' ? { kind: 'create', values } : { kind: 'update', id: p.plan.recordId ?? '', values };
  });
  const results = ops.length > 0 ? await writer.write(object, ops) : [];
  const resultOf = new Map(writing.map((p, i) => [p.member.memberId, results[i]]));
  const lines = planned.map((p) => lineOf(p, resultOf.get(p.member.memberId)));
  await db.batch(
    batchWrittenStatements(
      db,
      workspaceId,
      { id: pushId, connectionId: row.connection_id, audienceId: row.audience_id, object, afterMemberId: row.after_member_id, lastMemberId: last.memberId },
      lines,
      new Date().toISOString(),
    ),
  );
  return { done: members.length < PUSH_BATCH_MEMBERS, handled: members.length };
}

/** The email of the user who started a push (better-auth's user table), for the owner mapping. */
export async function userEmail(db: D1Database, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const row = await db.prepare('SELECT email FROM "user" WHERE id = ?').bind(userId).first<{ email: string }>();
  return row?.email ?? null;
}
