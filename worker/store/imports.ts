import { ImportPlan } from '../../shared/schema/importPlan.ts';
import { type ImportCounts, ImportSource, ImportStatus, type ImportSummary } from '../../shared/schema/imports.ts';
import { ImportMapping } from '../../shared/schema/mapping.ts';
import { DomainError } from '../domainError.ts';
import { parseStored, parseStoredJson } from './storedJson.ts';

export type ImportRow = {
  id: string;
  audience_id: string;
  status: string;
  source: string;
  mapping: string;
  plan: string;
  default_country: string;
  batch_size: number;
  expected_rows: number | null;
  next_seq: number;
  received: number;
  inserted: number;
  updated: number;
  duplicates: number;
  rejected: number;
  skipped: number;
  error_count: number;
  created_at: string;
  finished_at: string | null;
};

/** An import as stored: the summary the API shows plus what batch ingest needs. */
export type ImportRecord = { summary: ImportSummary; plan: ImportPlan; errorCount: number };

export function toRecord(r: ImportRow): ImportRecord {
  const plan = parseStoredJson(ImportPlan, r.plan, `imports.plan of ${r.id}`);
  const counts: ImportCounts = {
    received: r.received,
    inserted: r.inserted,
    updated: r.updated,
    duplicates: r.duplicates,
    rejected: r.rejected,
    skipped: r.skipped,
  };
  return {
    summary: {
      id: r.id,
      audienceId: r.audience_id,
      status: parseStored(ImportStatus, r.status, `imports.status of ${r.id}`),
      source: parseStoredJson(ImportSource, r.source, `imports.source of ${r.id}`),
      mapping: parseStoredJson(ImportMapping, r.mapping, `imports.mapping of ${r.id}`),
      defaultCountry: r.default_country,
      batchSize: r.batch_size,
      nextSeq: r.next_seq,
      expectedRows: r.expected_rows,
      counts,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      notices: plan.notices ?? [],
      ...(plan.privacy ? { privacyMode: true as const, sealedColumns: plan.columns.filter((c) => c.sensitive).map((c) => c.column) } : {}),
    },
    plan,
    errorCount: r.error_count,
  };
}

export type NewImport = {
  id: string;
  audienceId: string;
  source: ImportSource;
  mapping: ImportMapping;
  plan: ImportPlan;
  defaultCountry: string;
  batchSize: number;
  expectedRows: number | null;
  now: string;
};

export function insertImportStatement(db: D1Database, workspaceId: string, i: NewImport): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO imports (id, workspace_id, audience_id, status, source, mapping, plan, on_match, default_country, batch_size,
         expected_rows, created_at)
       VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      i.id,
      workspaceId,
      i.audienceId,
      JSON.stringify(i.source),
      JSON.stringify(i.mapping),
      JSON.stringify(i.plan),
      i.plan.onMatch,
      i.defaultCountry,
      i.batchSize,
      i.expectedRows,
      i.now,
    );
}

export async function findImport(db: D1Database, workspaceId: string, id: string): Promise<ImportRecord | null> {
  const row = await db.prepare('SELECT * FROM imports WHERE workspace_id = ? AND id = ?').bind(workspaceId, id).first<ImportRow>();
  return row ? toRecord(row) : null;
}

export async function getImport(db: D1Database, workspaceId: string, id: string): Promise<ImportRecord> {
  const found = await findImport(db, workspaceId, id);
  if (!found) throw new DomainError('not_found', 'import not found', { importId: id });
  return found;
}

/** Idempotent: finishing a completed import keeps its first finish time. */
export async function finishImport(db: D1Database, workspaceId: string, id: string, now: string): Promise<ImportRecord> {
  await db
    .prepare(`UPDATE imports SET status = 'completed', finished_at = ? WHERE workspace_id = ? AND id = ? AND status = 'open'`)
    .bind(now, workspaceId, id)
    .run();
  return getImport(db, workspaceId, id);
}

/** Moves the import past `seq` and adds the batch's counts; part of the batch transaction. */
export function applyBatchCountsStatement(
  db: D1Database,
  workspaceId: string,
  id: string,
  seq: number,
  counts: ImportCounts,
  errorCount: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE imports SET next_seq = ?, received = received + ?, inserted = inserted + ?, updated = updated + ?,
         duplicates = duplicates + ?, rejected = rejected + ?, skipped = skipped + ?, error_count = error_count + ?
       WHERE workspace_id = ? AND id = ?`,
    )
    .bind(
      seq + 1,
      counts.received,
      counts.inserted,
      counts.updated,
      counts.duplicates,
      counts.rejected,
      counts.skipped,
      errorCount,
      workspaceId,
      id,
    );
}

/** The import's next expected seq alone (null: no such import): a cheap re-read for a batch waiting its turn. */
export async function importNextSeq(db: D1Database, workspaceId: string, id: string): Promise<number | null> {
  const row = await db.prepare('SELECT next_seq FROM imports WHERE workspace_id = ? AND id = ?').bind(workspaceId, id).first<{ next_seq: number }>();
  return row ? row.next_seq : null;
}
