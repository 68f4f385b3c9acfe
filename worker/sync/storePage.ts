import type { AcceptedRow } from '../imports/classifyRows.ts';
import { keyedIdentifierHash } from '../imports/identifierKey.ts';
import { ingestBatch } from '../imports/ingestBatch.ts';
import { holdBackPushedFields } from '../push/pullDirections.ts';
import type { OpenRun } from './openRun.ts';
import { pageRows } from './pageRows.ts';
import type { PulledPage } from './pullPage.ts';
import { linkRecordsStatements, markSeenStatements, removeDeletedRecords, type LinkScope } from './recordLinks.ts';
import { unmarkMembersStatement } from './removeMembers.ts';
import { saveCursorStatement } from './syncStore.ts';

export type StoredPage = { replayed: boolean; received: number };

/** The run's progress for one page: records pulled, the largest stamp seen (kept only when later). */
function runProgressStatement(run: OpenRun, pulled: number, largestStamp: string | null): D1PreparedStatement {
  return run.env.DB.prepare(
    `UPDATE sync_runs SET pulled = pulled + ?1,
       high_water_mark = CASE WHEN ?2 IS NULL THEN high_water_mark WHEN high_water_mark IS NULL OR high_water_mark < ?2 THEN ?2 ELSE high_water_mark END
     WHERE workspace_id = ?3 AND id = ?4`,
  ).bind(pulled, largestStamp, run.workspaceId, run.runId);
}

/**
 * Stores page `seq` of the run, pulled already: its rows go through the batch ingest every import uses, and in
 * the SAME transaction the cursor of the next page, the run's progress (pulled, largest stamp), and each stored
 * record's link to its member (seen by this run). So once page N is in, the cursor of page N+1 is too, and a page stored twice (a retried step, two copies of a step) is answered from its
 * stored batch (same seq, same idempotency key) with nothing counted twice: `replayed` says so.
 *
 * Records the CRM says were deleted (a change feed's page) and records whose flag is not true leave first, by their
 * links, in transactions of their own that count them into the run (removeDeletedRecords: safe to repeat, a member
 * already gone is not counted again), so a page retried after a failure never loses them nor counts them twice.
 */
export async function storePulledPage(run: OpenRun, seq: number, page: PulledPage, now: () => string): Promise<StoredPage> {
  const db = run.env.DB;
  const scope: LinkScope = { workspaceId: run.workspaceId, connectionId: run.connectionId, object: run.settings.object, audienceId: run.audienceId };
  // Counted into the run in their own transactions: a count carried by the page's batch was lost when that batch
  // was not the one applied (a retried step, or another copy of it, storing the page after these members left).

  const rows = pageRows(page.records, {
    columns: run.columns,
    flagField: run.settings.flagField,
    stampField: run.stampField,
    idField: page.idField,
    firstRow: run.received + 1,
  });
  const keyOf = keyedIdentifierHash(run.hasher);
  // Fields the export settings send only to the CRM (or two-way ones changed here later) keep the member's value.
  const staying = await holdBackPushedFields(
    db,
    { workspaceId: run.workspaceId, connectionId: run.connectionId, kind: run.kind, object: run.settings.object, audienceId: run.audienceId, plan: run.plan, keyOf },
    rows.staying,
    rows.stayingStamps,
  );
  // Records deleted in the CRM (a change feed's page) and records whose flag is not true leave by their links, as
  // the members those records are: a record that never was a member's (a new unflagged record sharing a member's
  // email) takes nobody with it, and a member another record still stands for stays. Counted into the run in their
  // own transactions: a count carried by the page's batch was lost when that batch was not the one applied (a retried
  // step, or another copy of it, storing the page after these members left).
  const gone = [...page.deletedIds, ...rows.leavingIds.filter((id): id is string => id !== null)];
  if (gone.length > 0) await removeDeletedRecords(db, scope, gone, run.settings.deletionRule, now(), run.runId);
  // Built from the rows the ingest accepted (its own classification of `staying`), so no row is classified twice.
  const alongside = (stored: readonly AcceptedRow[]): D1PreparedStatement[] => {
    const linked = new Set(stored.map((r) => r.index));
    return [
      ...(page.nextCursor === null ? [] : [saveCursorStatement(db, run.runId, seq + 1, page.nextCursor)]),
      runProgressStatement(run, page.records.length, rows.largestStamp),
      ...linkRecordsStatements(db, scope, stored.map((r) => ({ recordId: rows.stayingIds[r.index] ?? null, memberKey: r.key })), now(), run.runId),
      // A record whose row was rejected (a value not allowed) is still in the CRM: its member is not swept.
      ...markSeenStatements(db, scope, rows.stayingIds.filter((_, i) => !linked.has(i)), run.runId),
      run.settings.deletionRule === 'keep_and_mark'
        ? unmarkMembersStatement(db, { workspaceId: run.workspaceId, audienceId: run.audienceId, keys: stored.map((r) => r.key) })
        : null,
    ].filter((s): s is D1PreparedStatement => s !== null);
  };
  const result = await ingestBatch(
    { db, seal: run.seal, hasher: run.hasher, workspaceId: run.workspaceId, importId: run.importId, now },
    { seq, idempotencyKey: `sync-run-${run.runId}-${seq}`, rows: staying },
    alongside,
  );
  return { replayed: result.replayed, received: rows.staying.length };
}
