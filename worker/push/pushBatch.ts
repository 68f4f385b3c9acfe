import { afterLostWrite, type LostWriteOutcome } from '../../shared/crmExport/lostWrite.ts';
import type { PlanRun, PlanSettings } from '../../shared/crmExport/planPush.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import { CrmError, type CrmWriteOp, type CrmWriteResult, type CrmWriter } from '../connectors/connector.ts';
import { peopleTable } from './crmTargets.ts';
import { planBatch, type PlannedMember } from './planBatch.ts';
import { accountMemory, companiesWrittenStatements, companyLinkScope } from './companyLinks.ts';
import { companyNotes, linkCompanies } from './pushCompanies.ts';
import { nextMembers, scopeWhere } from './pushMembers.ts';
import { openPushWriter } from './pushDeps.ts';
import { batchWrittenStatements, getPushRow, pushRequestOf, pushSettingsOf, rememberedRecords, type PushRecordLine } from './pushStore.ts';

/**
 * Members per batch: one D1 transaction, lookups of up to 1,000 values a call (4 at a time), one CrmWriter.write.
 * At 10,000 a batch's creates or updates pass Salesforce's 2,000-record threshold, so a large push goes as one Bulk
 * API 2.0 job per batch (a handful of API requests instead of 50 sObject Collections calls), and Dataverse gets
 * $batch requests of 1,000. A batch replanned after a restart looks all of it up again.
 */
export const PUSH_BATCH_MEMBERS = 10_000;

export type PushBatchOutcome = { done: boolean; handled: number };

/** A planned member, and what a lost write already did to its record (afterLostWrite), when one came first. */
type WrittenMember = PlannedMember & { earlier: LostWriteOutcome['earlier'] };

/** The report line of a planned member, with what the CRM answered for its write (when there was one). */
function lineOf(p: WrittenMember, result: CrmWriteResult | undefined, companyNote: string | undefined): PushRecordLine & { memberKey: string } {
  const line = recordLineOf(p, result);
  return companyNote ? { ...line, message: line.message ? `${line.message} ${companyNote}` : companyNote } : line;
}

function recordLineOf(p: WrittenMember, result: CrmWriteResult | undefined): PushRecordLine & { memberKey: string } {
  const base = { memberId: p.member.memberId, member: p.member.label, memberKey: p.member.key, changes: p.plan.changes, conflicts: p.plan.conflicts };
  if (p.plan.action === 'conflict') return { ...base, recordId: null, action: 'conflict', message: p.plan.reason, vendorCode: null, changes: [] };
  if (p.plan.action === 'skip') {
    if (p.earlier) return { ...base, recordId: p.plan.recordId, action: p.earlier.action, message: null, vendorCode: null, changes: p.earlier.changes };
    return { ...base, recordId: p.plan.recordId, action: 'skipped', message: 'Already up to date.', vendorCode: null };
  }
  if (!result) return { ...base, recordId: p.plan.recordId, action: 'failed', message: 'The CRM gave no answer for this record.', vendorCode: null };
  if (!result.ok) {
    const fields = result.fields.length > 0 ? ` (${result.fields.join(', ')})` : '';
    return { ...base, recordId: p.plan.recordId, action: 'failed', message: `The CRM refused the record${fields}: ${result.message}`, vendorCode: result.vendorCode };
  }
  if (p.earlier) return { ...base, recordId: result.id, action: p.earlier.action, message: null, vendorCode: null, changes: [...p.earlier.changes, ...p.plan.changes] };
  return { ...base, recordId: result.id, action: p.plan.action === 'create' ? 'created' : 'updated', message: null, vendorCode: null };
}

/**
 * The creates and updates of a plan, one op each, in the order of `writing`. A create carrying a value for an
 * identifier the CRM upserts by (`upsertBy`: an external id field, in the identifiers' order) goes as an upsert by
 * it: should the record exist by then (a lost answer's write, someone else's), the CRM updates it instead of making
 * a twin, and the request can be sent again safely.
 */
function opsOf(writing: readonly PlannedMember[], upsertBy: readonly string[]): CrmWriteOp[] {
  return writing.map((p) => {
    const values = Object.fromEntries(p.plan.changes.map((c) => [c.crmProperty, c.newValue]));
    if (p.plan.action !== 'create') return { kind: 'update', id: p.plan.recordId ?? '', values };
    const by = upsertBy.find((property) => values[property]);
    return by ? { kind: 'upsert', by, values } : { kind: 'create', values };
  });
}

/**
 * Writes a planned batch; creates are sent once (`resendCreates: false`). When the answer is lost (crm_unavailable:
 * a 5xx or dropped connection on a request carrying creates, a Bulk API 2.0 job still running after the poll time),
 * the CRM may hold some of the records already, so the batch is planned again — the records it created are found by
 * their identifiers (findBy) — and only what is still missing is written. A second lost answer ends the step; the
 * step's retry plans from the CRM again the same way, so no retry creates a record twice.
 */
async function writePlanned(
  writer: CrmWriter,
  object: string,
  upsertBy: readonly string[],
  planned: PlannedMember[],
  replan: () => Promise<PlannedMember[]>,
): Promise<{ members: WrittenMember[]; results: Map<number, CrmWriteResult> }> {
  const write = async (members: readonly WrittenMember[]) => {
    const writing = members.filter((p) => p.plan.action === 'create' || p.plan.action === 'update');
    const results = writing.length > 0 ? await writer.write(object, opsOf(writing, upsertBy), { resendCreates: false }) : [];
    return new Map(writing.flatMap((p, i) => (results[i] ? [[p.member.memberId, results[i]] as const] : [])));
  };
  const first = planned.map((p) => ({ ...p, earlier: null }));
  try {
    return { members: first, results: await write(first) };
  } catch (e) {
    if (!(e instanceof CrmError && e.code === 'crm_unavailable')) throw e;
  }
  const before = new Map(planned.map((p) => [p.member.memberId, p.plan]));
  const again = (await replan()).map((p) => {
    const earlier = before.get(p.member.memberId);
    return earlier ? { member: p.member, ...afterLostWrite(earlier, p.plan) } : { ...p, earlier: null };
  });
  return { members: again, results: await write(again) };
}

export function planSettingsOf(settings: ReturnType<typeof pushSettingsOf>, ownerProperty: string): PlanSettings {
  return { people: settings.people, owners: settings.owners, sensitiveAllowed: settings.sensitiveAllowed, ownerProperty };
}

/** How long one step keeps taking batches (as a sync run's step stores pages for a time budget). */
export const PUSH_STEP_BUDGET_MS = 60_000;

export type PushStepLimits = { batchMembers: number; budgetMs: number };

/**
 * One step of a push: batches of members after the cursor, each planned against the CRM as it is now, written in one
 * CrmWriter.write (creates and updates together; the connector picks the bulk endpoint), then its report lines,
 * links, counts and cursor committed in one D1 transaction — batch after batch until the step's time budget is spent
 * (a budget of 0: one batch). A batch's commit runs while the next batch is read and planned (that planning reads the
 * CRM only after the batch before was written, so it decides as one batch after the other would; with companies the
 * commit lands first, as the next batch recalls the Accounts it remembered), and is awaited before the next write.
 * Where the push is comes from D1 alone, so a step retried or a push resumed after its Worker died goes on at the
 * first batch not committed. A batch whose CRM write succeeded but whose D1 commit was lost is planned again: the
 * records it created are found by their identifiers then, and updated — not created twice — as long as an
 * identifier is among the values written.
 */
export async function pushNextBatch(
  env: Env,
  workspaceId: string,
  pushId: string,
  limits: PushStepLimits = { batchMembers: PUSH_BATCH_MEMBERS, budgetMs: PUSH_STEP_BUDGET_MS },
): Promise<PushBatchOutcome> {
  const startedAt = Date.now();
  const db = env.DB;
  const row = await getPushRow(db, workspaceId, pushId);
  if (row.status !== 'running') return { done: true, handled: 0 };
  const request = pushRequestOf(row);
  const settings = pushSettingsOf(row);
  const where = await scopeWhere(env, workspaceId, row.audience_id, request.scope);
  let opened: { writer: CrmWriter; object: string; kind: CrmKind; ownerProperty: string; run: PlanRun; upsertKeys: Set<string> } | null = null;
  let handled = 0;
  let after = row.after_member_id;
  let committing: Promise<unknown> = Promise.resolve();
  const read = (afterId: number) => {
    const reading = nextMembers(env, workspaceId, row.audience_id, where, afterId, limits.batchMembers, settings.sensitiveAllowed);
    // Awaited at the next batch; a read the step's end leaves behind must not count as an unhandled failure.
    reading.catch(() => undefined);
    return reading;
  };
  let reading = read(after);
  try {
    for (;;) {
      const members = await reading;
      const last = members.at(-1);
      if (!last) {
        await committing;
        return { done: true, handled };
      }
      if (!opened) {
        const { writer, kind } = await openPushWriter(env, workspaceId, row.connection_id);
        const { object, ownerProperty } = peopleTable(kind, settings.people.target);
        opened = {
          writer,
          kind,
          object,
          ownerProperty,
          run: { exportTimeValues: request.exportTimeValues, runnerEmail: await userEmail(db, row.started_by) },
          upsertKeys: new Set(await writer.upsertKeys(object)),
        };
      }
      const { writer, kind, object, ownerProperty, run, upsertKeys } = opened;
      const remembered = await rememberedRecords(db, workspaceId, { connectionId: row.connection_id, object, audienceId: row.audience_id }, members.map((m) => m.key));
      const companyScope = companyLinkScope(workspaceId, row.connection_id, kind, settings.companies);
      if (settings.companies) await committing;
      const memory = await accountMemory(db, env.HASH_KEY, companyScope);
      const linked = await linkCompanies(writer, kind, planSettingsOf(settings, ownerProperty), settings.companies, members, memory, 'write');
      const plan = () => planBatch(writer, object, linked.settings, run, linked.members, remembered);
      const upsertBy = linked.settings.people.identifiers.map((i) => i.crmProperty).filter((property) => upsertKeys.has(property));
      const planned = await plan();
      // The batch before must be recorded before this one is written: its cursor is where this one's commit starts.
      await committing;
      // The next members are read from D1 while this batch goes to the CRM (their reading depends on neither).
      if (members.length === limits.batchMembers) reading = read(last.memberId);
      const written = await writePlanned(writer, object, upsertBy, planned, plan);
      const notes = companyNotes(linked.companies);
      const lines = written.members.map((p) => lineOf(p, written.results.get(p.member.memberId), notes.get(p.member.memberId)));
      const now = new Date().toISOString();
      const commit = db.batch([
        ...batchWrittenStatements(
          db,
          workspaceId,
          { id: pushId, connectionId: row.connection_id, audienceId: row.audience_id, object, afterMemberId: after, lastMemberId: last.memberId },
          lines,
          now,
        ),
        // After the cursor's UPDATE, in the same transaction: a batch committed twice writes these same rows again.
        ...companiesWrittenStatements(db, companyScope, { id: pushId, batchAfter: after }, linked.companies, now),
      ]);
      // Awaited below (before the next write, or the step's end); until then a failure is not an unhandled one.
      commit.catch(() => undefined);
      committing = commit;
      handled += members.length;
      after = last.memberId;
      if (members.length < limits.batchMembers) {
        await committing;
        return { done: true, handled };
      }
      if (Date.now() - startedAt >= limits.budgetMs) {
        await committing;
        return { done: false, handled };
      }
    }
  } catch (e) {
    // A commit still under way is let finish (or fail) first, so the step's retry starts from what D1 holds.
    await committing.catch(() => undefined);
    throw e;
  }
}

/** The email of the user who started a push (better-auth's user table), for the owner mapping. */
export async function userEmail(db: D1Database, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const row = await db.prepare('SELECT email FROM "user" WHERE id = ?').bind(userId).first<{ email: string }>();
  return row?.email ?? null;
}
