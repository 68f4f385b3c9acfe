import { afterLostWrite, type LostWriteOutcome } from '../../shared/crmExport/lostWrite.ts';
import type { PlanRun, PlanSettings } from '../../shared/crmExport/planPush.ts';
import { CrmError, type CrmWriteOp, type CrmWriteResult, type CrmWriter } from '../connectors/connector.ts';
import { peopleTable } from './crmTargets.ts';
import { planBatch, type PlannedMember } from './planBatch.ts';
import { accountMemory, companiesWrittenStatements, companyLinkScope } from './companyLinks.ts';
import { companyNotes, linkCompanies } from './pushCompanies.ts';
import { nextMembers, scopeWhere, type ScopedMember } from './pushMembers.ts';
import { replanAfter, type WrittenBatch } from './overlappingWrites.ts';
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
    return earlier ? { member: p.member, seen: p.seen, ...afterLostWrite(earlier, p.plan) } : { ...p, earlier: null };
  });
  return { members: again, results: await write(again) };
}

export function planSettingsOf(settings: ReturnType<typeof pushSettingsOf>, ownerProperty: string): PlanSettings {
  return { people: settings.people, owners: settings.owners, sensitiveAllowed: settings.sensitiveAllowed, ownerProperty };
}

/** How long one step keeps taking batches (as a sync run's step stores pages for a time budget). */
export const PUSH_STEP_BUDGET_MS = 60_000;

export type PushStepLimits = { batchMembers: number; budgetMs: number };

/** A batch of members read and planned, ready to be written. */
type PreparedBatch = {
  members: ScopedMember[];
  last: ScopedMember;
  companyScope: ReturnType<typeof companyLinkScope>;
  linked: Awaited<ReturnType<typeof linkCompanies>>;
  /** Plans members of the batch (all of them by default) against the CRM as it is now. */
  plan: (members?: readonly ScopedMember[]) => Promise<PlannedMember[]>;
  planned: PlannedMember[];
  upsertBy: string[];
};

/**
 * One step of a push: batches of members after the cursor, each planned against the CRM, written in one
 * CrmWriter.write (creates and updates together; the connector picks the bulk endpoint), then its report lines,
 * links, counts and cursor committed in one D1 transaction — batch after batch until the step's time budget is spent
 * (a budget of 0: one batch).
 *
 * The next batch is read and planned while one is written, and a batch's commit is built and sent while the next is
 * written, so the CRM always has work: planning reads the CRM before the batch before it has landed, so the members
 * that write may have changed something for are planned again after it (replanAfter), and each batch decides as it
 * would one after the other. With companies the batches go one after the other: a batch links the Accounts the batch
 * before remembered. Commits land in order, each after the one before it (its cursor is where that one left it).
 * Where the push is comes from D1 alone, so a step retried or a push resumed after its Worker died goes on at the
 * first batch not committed. A batch whose CRM write succeeded but whose D1 commit was lost (or the batch after it,
 * written while that commit failed) is planned again: the records it created are found by their identifiers then,
 * and updated — not created twice — as long as an identifier is among the values written.
 */
export async function pushNextBatch(env: Env, workspaceId: string, pushId: string, limits?: PushStepLimits): Promise<PushBatchOutcome> {
  const startedAt = Date.now();
  const db = env.DB;
  const row = await getPushRow(db, workspaceId, pushId);
  if (row.status !== 'running') return { done: true, handled: 0 };
  const request = pushRequestOf(row);
  const settings = pushSettingsOf(row);
  const where = await scopeWhere(env, workspaceId, row.audience_id, request.scope);
  const { writer, kind } = await openPushWriter(env, workspaceId, row.connection_id);
  const batchMembers = limits?.batchMembers ?? PUSH_BATCH_MEMBERS;
  const budgetMs = limits?.budgetMs ?? PUSH_STEP_BUDGET_MS;
  const { object, ownerProperty } = peopleTable(kind, settings.people.target);
  const run: PlanRun = { exportTimeValues: request.exportTimeValues, runnerEmail: await userEmail(db, row.started_by) };
  const upsertKeys = new Set(await writer.upsertKeys(object));
  const overlapping = settings.companies === null;

  const prepare = async (afterId: number): Promise<PreparedBatch | null> => {
    const members = await nextMembers(env, workspaceId, row.audience_id, where, afterId, batchMembers, settings.sensitiveAllowed);
    const last = members.at(-1);
    if (!last) return null;
    const remembered = await rememberedRecords(db, workspaceId, { connectionId: row.connection_id, object, audienceId: row.audience_id }, members.map((m) => m.key));
    const companyScope = companyLinkScope(workspaceId, row.connection_id, kind, settings.companies);
    const memory = await accountMemory(db, env.HASH_KEY, companyScope);
    const linked = await linkCompanies(writer, kind, planSettingsOf(settings, ownerProperty), settings.companies, members, memory, 'write');
    const plan = (only: readonly ScopedMember[] = linked.members) => planBatch(writer, object, linked.settings, run, only, remembered);
    const upsertBy = linked.settings.people.identifiers.map((i) => i.crmProperty).filter((property) => upsertKeys.has(property));
    return { members, last, companyScope, linked, plan, planned: await plan(), upsertBy };
  };
  // Awaited in the loop; one the step's end leaves behind must not count as an unhandled failure.
  const prepareNext = (afterId: number) => {
    const preparing = prepare(afterId);
    preparing.catch(() => undefined);
    return preparing;
  };

  let handled = 0;
  let after = row.after_member_id;
  let committing: Promise<unknown> = Promise.resolve();
  let unrecorded: { batch: PreparedBatch; written: WrittenBatch & { members: WrittenMember[] }; afterId: number } | null = null;
  let writing: Promise<unknown> = Promise.resolve();
  /** The commit of the batch written last, chained after the commits before it. */
  const record = () => {
    if (!unrecorded) return;
    const { batch, written, afterId } = unrecorded;
    unrecorded = null;
    const notes = companyNotes(batch.linked.companies);
    const lines = written.members.map((p) => lineOf(p, written.results.get(p.member.memberId), notes.get(p.member.memberId)));
    const now = new Date().toISOString();
    const statements = [
      ...batchWrittenStatements(
        db,
        workspaceId,
        { id: pushId, connectionId: row.connection_id, audienceId: row.audience_id, object, afterMemberId: afterId, lastMemberId: batch.last.memberId },
        lines,
        now,
      ),
      // After the cursor's UPDATE, in the same transaction: a batch committed twice writes these same rows again.
      ...companiesWrittenStatements(db, batch.companyScope, { id: pushId, batchAfter: afterId }, batch.linked.companies, now),
    ];
    // A commit that failed stops the ones after it: their cursor would not match.
    committing = committing.then(() => db.batch(statements));
    // Awaited before the step ends; until then a failure is not an unhandled one.
    committing.catch(() => undefined);
  };
  let preparing = prepareNext(after);
  try {
    for (;;) {
      const batch = await preparing;
      if (!batch) {
        record();
        await committing;
        return { done: true, handled };
      }
      if (unrecorded) batch.planned = await replanAfter(batch.planned, unrecorded.written, batch.linked.settings, (only) => batch.plan(only));
      const full = batch.members.length === batchMembers;
      const more = full && Date.now() - startedAt < budgetMs;
      const write = writePlanned(writer, object, batch.upsertBy, batch.planned, () => batch.plan());
      writing = write;
      write.catch(() => undefined);
      // While the CRM takes this write: the batch before is committed, the next one read and planned.
      record();
      if (more && overlapping) preparing = prepareNext(batch.last.memberId);
      unrecorded = { batch, written: await write, afterId: after };
      handled += batch.members.length;
      after = batch.last.memberId;
      if (!more) {
        record();
        await committing;
        return { done: !full, handled };
      }
      if (!overlapping) {
        // The next batch links the Accounts this one remembered: its commit lands first.
        record();
        await committing;
        preparing = prepareNext(after);
      }
    }
  } catch (e) {
    // What was written is recorded, and a write or commit still under way is let finish (or fail) first, so the
    // step's retry starts from what the CRM and D1 hold.
    await writing.catch(() => undefined);
    record();
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
