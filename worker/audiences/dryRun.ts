import type { DryRun, DryRunBatchBody, StartDryRunBody } from '../../shared/schema/audiences.ts';
import { DomainError, describeIssues } from '../domainError.ts';
import { classifyRows } from '../imports/classifyRows.ts';
import { buildImportPlan } from '../imports/importPlan.ts';
import { resolveMatches } from '../imports/resolveMatches.ts';
import { getAudience } from '../store/audiences.ts';
import { getDryRun, insertDryRun, recordDryRunBatch, seenKeys } from '../store/dryRuns.ts';
import { listFields } from '../store/fields.ts';
import type { KeyedHasher } from '../crypto/keyedHash.ts';
import { keyedIdentifierHash } from '../imports/identifierKey.ts';
import { existingMembers, type MemberWriters } from '../store/members.ts';
import { addCounts, addReasons, emptyDryRunCounts, rejectedByReason } from './dryRunCounts.ts';

/** The same plan a real import would build from the same mapping and options. */
export async function startDryRun(db: D1Database, workspaceId: string, body: StartDryRunBody, now: string): Promise<DryRun> {
  const planned = buildImportPlan(body, await listFields(db, workspaceId));
  if (!planned.ok) throw new DomainError('validation_failed', describeIssues(planned.issues), planned.issues);
  // A dry run's rows are plain: in a private audience they would bring sensitive values to the server in clear.
  if (body.audienceId && (await getAudience(db, workspaceId, body.audienceId)).privacyMode) {
    throw new DomainError('privacy_mode', 'A dry run sends the rows to the server as plain text, so a privacy-mode audience has none: the browser checks its rows itself.', {
      audienceId: body.audienceId,
    });
  }
  return (await insertDryRun(db, workspaceId, body.audienceId ?? null, planned.plan, emptyDryRunCounts(), now)).dryRun;
}

/**
 * One batch of a dry run, decided by the import's own steps (classifyRows, then resolveMatches) against the
 * audience as it is now. Identifiers seen in earlier batches of the dry run play the part of the members an
 * import would have written by then, so a repeat counts as merged, exactly as in the import. Members are only read.
 */
export async function dryRunBatch(db: D1Database, workspaceId: string, dryRunId: string, body: DryRunBatchBody, hasher: KeyedHasher): Promise<DryRun> {
  const record = await getDryRun(db, workspaceId, dryRunId);
  const { dryRun, plan } = record;
  if (body.seq !== dryRun.nextSeq) {
    throw new DomainError('batch_out_of_order', `expected batch ${dryRun.nextSeq}, got ${body.seq}`, { nextSeq: dryRun.nextSeq });
  }
  const classified = classifyRows(body.rows, plan, keyedIdentifierHash(hasher));
  const keys = [...new Set(classified.accepted.map((r) => r.key))];
  const [inAudience, seen] = await Promise.all([
    dryRun.audienceId ? existingMembers(db, workspaceId, dryRun.audienceId, keys) : new Map<string, MemberWriters>(),
    seenKeys(db, dryRunId, keys),
  ]);
  // What the import's lookup would answer at this batch: the member's last writer, or this import itself.
  const lastWriter = new Map(inAudience);
  for (const key of seen) lastWriter.set(key, [dryRunId]);
  const identifierColumn = plan.columns[plan.identifierIndex]?.column ?? '';
  const resolved = resolveMatches(classified.accepted, lastWriter, dryRunId, plan.onMatch, identifierColumn);

  const next: DryRun = {
    ...dryRun,
    nextSeq: body.seq + 1,
    counts: addCounts(dryRun.counts, {
      received: body.rows.length,
      inserted: resolved.counts.inserted,
      updated: resolved.counts.updated,
      merged: resolved.counts.duplicates,
      rejected: classified.rejected + resolved.counts.rejected,
      skipped: classified.skipped,
    }),
    rejectedBy: addReasons(dryRun.rejectedBy, rejectedByReason([...classified.errors, ...resolved.errors])),
  };
  const written = [...resolved.inserts, ...resolved.merges].map((m) => m.key);
  const applied = await recordDryRunBatch(db, workspaceId, { dryRun: next, plan }, body.seq, written);
  if (!applied) {
    const now = await getDryRun(db, workspaceId, dryRunId);
    throw new DomainError('batch_out_of_order', `batch ${body.seq} was already counted`, { nextSeq: now.dryRun.nextSeq });
  }
  return next;
}
