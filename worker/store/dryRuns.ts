import { DryRun, DryRunCounts } from '../../shared/schema/audiences.ts';
import { ImportPlan } from '../../shared/schema/importPlan.ts';
import { DomainError } from '../domainError.ts';
import { jsonChunks } from './jsonChunks.ts';
import { parseStoredJson } from './storedJson.ts';

type DryRunRow = { id: string; audience_id: string | null; plan: string; next_seq: number; counts: string; reasons: string };

export type DryRunRecord = { dryRun: DryRun; plan: ImportPlan };

const toRecord = (r: DryRunRow): DryRunRecord => ({
  dryRun: {
    id: r.id,
    audienceId: r.audience_id,
    nextSeq: r.next_seq,
    counts: parseStoredJson(DryRunCounts, r.counts, `dry_runs.counts of ${r.id}`),
    rejectedBy: parseStoredJson(DryRun.shape.rejectedBy, r.reasons, `dry_runs.reasons of ${r.id}`),
  },
  plan: parseStoredJson(ImportPlan, r.plan, `dry_runs.plan of ${r.id}`),
});

// A dry run is looked at right before saving; a day later it only takes room.
const KEEP_DRY_RUNS = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')";

export async function insertDryRun(
  db: D1Database,
  workspaceId: string,
  audienceId: string | null,
  plan: ImportPlan,
  counts: DryRunCounts,
  now: string,
): Promise<DryRunRecord> {
  const id = crypto.randomUUID();
  await db.batch([
    db
      .prepare(
        `DELETE FROM dry_run_keys WHERE dry_run_id IN (SELECT id FROM dry_runs WHERE workspace_id = ? AND created_at < ${KEEP_DRY_RUNS})`,
      )
      .bind(workspaceId),
    db.prepare(`DELETE FROM dry_runs WHERE workspace_id = ? AND created_at < ${KEEP_DRY_RUNS}`).bind(workspaceId),
    db
      .prepare('INSERT INTO dry_runs (id, workspace_id, audience_id, plan, counts, reasons, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .bind(id, workspaceId, audienceId, JSON.stringify(plan), JSON.stringify(counts), '{}', now),
  ]);
  return getDryRun(db, workspaceId, id);
}

export async function getDryRun(db: D1Database, workspaceId: string, id: string): Promise<DryRunRecord> {
  const row = await db
    .prepare(`SELECT id, audience_id, plan, next_seq, counts, reasons FROM dry_runs WHERE workspace_id = ? AND id = ?`)
    .bind(workspaceId, id)
    .first<DryRunRow>();
  if (!row) throw new DomainError('not_found', 'dry run not found', { dryRunId: id });
  return toRecord(row);
}

/** The keys of `keys` this dry run has already seen in earlier batches. */
export async function seenKeys(db: D1Database, dryRunId: string, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const row = await db
    .prepare(
      `SELECT json_group_array(k.identifier_key) AS seen FROM json_each(?2) AS j CROSS JOIN dry_run_keys AS k
       WHERE k.dry_run_id = ?1 AND k.identifier_key = j.value`,
    )
    .bind(dryRunId, JSON.stringify(keys))
    .first<{ seen: string }>();
  return new Set(JSON.parse(row?.seen ?? '[]') as string[]);
}

/**
 * Records a batch: its counts and the identifiers it would have written, in one transaction. The counts update is
 * guarded on `seq`, so a batch sent twice is not counted twice (the second one changes nothing and is reported).
 */
export async function recordDryRunBatch(
  db: D1Database,
  workspaceId: string,
  record: DryRunRecord,
  seq: number,
  keys: readonly string[],
): Promise<boolean> {
  const { dryRun } = record;
  const results = await db.batch([
    db
      .prepare('UPDATE dry_runs SET next_seq = ?, counts = ?, reasons = ? WHERE workspace_id = ? AND id = ? AND next_seq = ?')
      .bind(seq + 1, JSON.stringify(dryRun.counts), JSON.stringify(dryRun.rejectedBy), workspaceId, dryRun.id, seq),
    ...jsonChunks(keys).map((json) =>
      db
        .prepare(
          `INSERT INTO dry_run_keys (dry_run_id, identifier_key)
           SELECT ?1, j.value FROM json_each(?2) AS j WHERE (SELECT next_seq FROM dry_runs WHERE id = ?1) = ?3
           ON CONFLICT DO NOTHING`,
        )
        .bind(dryRun.id, json, seq + 1),
    ),
  ]);
  return (results[0]?.meta.changes ?? 0) === 1;
}

export function deleteDryRunsStatements(db: D1Database, workspaceId: string, audienceId: string): D1PreparedStatement[] {
  return [
    db
      .prepare('DELETE FROM dry_run_keys WHERE dry_run_id IN (SELECT id FROM dry_runs WHERE workspace_id = ? AND audience_id = ?)')
      .bind(workspaceId, audienceId),
    db.prepare('DELETE FROM dry_runs WHERE workspace_id = ? AND audience_id = ?').bind(workspaceId, audienceId),
  ];
}
