import { ExportSettings, FieldChange, PushRequest } from '../../shared/schema/crmExport.ts';
import { TwoWayConflict, type Push, type PushRecordOutcome, type PushReportLine } from '../../shared/schema/crmPush.ts';
import { z } from 'zod';
import { DomainError } from '../domainError.ts';
import { jsonChunks } from '../store/jsonChunks.ts';
import { parseStoredJson } from '../store/storedJson.ts';

export type PushRow = {
  id: string;
  workspace_id: string;
  connection_id: string;
  audience_id: string;
  request: string;
  settings: string;
  started_by: string | null;
  status: 'running' | 'succeeded' | 'failed';
  after_member_id: number;
  batches: number;
  total: number;
  created: number;
  updated: number;
  skipped: number;
  conflicts: number;
  failed: number;
  error_code: string | null;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
};

export function insertPushStatement(
  db: D1Database,
  workspaceId: string,
  push: { id: string; request: PushRequest; settings: ExportSettings; startedBy: string | null; total: number; now: string },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO pushes (id, workspace_id, connection_id, audience_id, request, settings, started_by, status, total, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
    )
    .bind(push.id, workspaceId, push.request.connectionId, push.request.audienceId, JSON.stringify(push.request), JSON.stringify(push.settings), push.startedBy, push.total, push.now);
}

export async function getPushRow(db: D1Database, workspaceId: string, pushId: string): Promise<PushRow> {
  const row = await db.prepare('SELECT * FROM pushes WHERE workspace_id = ? AND id = ?').bind(workspaceId, pushId).first<PushRow>();
  if (!row) throw new DomainError('not_found', 'no such push in this workspace', { pushId });
  return row;
}

export const pushRequestOf = (row: PushRow) => parseStoredJson(PushRequest, row.request, `pushes.request of ${row.id}`);
export const pushSettingsOf = (row: PushRow) => parseStoredJson(ExportSettings, row.settings, `pushes.settings of ${row.id}`);

export function toPush(row: PushRow): Push {
  const counts = { created: row.created, updated: row.updated, skipped: row.skipped, conflicts: row.conflicts, failed: row.failed };
  return {
    id: row.id,
    connectionId: row.connection_id,
    audienceId: row.audience_id,
    request: pushRequestOf(row),
    status: row.status,
    total: row.total,
    done: Object.values(counts).reduce((a, b) => a + b, 0),
    counts,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** What one batch did to one member's record: a line of the report. */
export type PushRecordLine = {
  memberId: number;
  member: string;
  recordId: string | null;
  action: PushRecordOutcome;
  message: string | null;
  vendorCode: string | null;
  changes: FieldChange[];
  conflicts: TwoWayConflict[];
};

/**
 * Everything one written batch leaves in D1, as one transaction: its report lines, the links of created and matched
 * records, the counts and the cursor. The cursor moves only from where this batch started (`afterMemberId`): a batch
 * committed twice (a step retried after its commit) changes nothing the second time, its UPDATE matching no row and
 * its lines and links being the same rows again.
 */
export function batchWrittenStatements(
  db: D1Database,
  workspaceId: string,
  push: { id: string; connectionId: string; audienceId: string; object: string; afterMemberId: number; lastMemberId: number },
  lines: readonly (PushRecordLine & { memberKey: string })[],
  now: string,
): D1PreparedStatement[] {
  const count = (a: PushRecordOutcome) => lines.filter((l) => l.action === a).length;
  const links = lines.filter((l) => l.recordId !== null && l.action !== 'failed' && l.action !== 'conflict').map((l) => [l.recordId, l.memberKey]);
  const reportItems = lines.map((l) => [l.memberId, l.member, l.recordId, l.action, l.message, l.vendorCode, JSON.stringify(l.changes), JSON.stringify(l.conflicts)]);
  return [
    // First: when the cursor has already moved past this batch, the batch's statements below are repeats of rows
    // already written (INSERT OR IGNORE / the same link), and the counts are not added twice.
    db
      .prepare(
        `UPDATE pushes SET after_member_id = ?1, batches = batches + 1, created = created + ?2, updated = updated + ?3, skipped = skipped + ?4,
           conflicts = conflicts + ?5, failed = failed + ?6
         WHERE workspace_id = ?7 AND id = ?8 AND after_member_id = ?9 AND status = 'running'`,
      )
      .bind(push.lastMemberId, count('created'), count('updated'), count('skipped'), count('conflict'), count('failed'), workspaceId, push.id, push.afterMemberId),
    ...jsonChunks(reportItems).map((json) =>
      db
        .prepare(
          `INSERT OR IGNORE INTO push_records (workspace_id, push_id, member_id, member_label, record_id, action, message, vendor_code, changes, conflicts)
           SELECT ?1, ?2, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7
           FROM json_each(?3) AS j`,
        )
        .bind(workspaceId, push.id, json),
    ),
    ...jsonChunks(links).map((json) =>
      db
        .prepare(
          `INSERT INTO crm_record_links (workspace_id, connection_id, object, record_id, audience_id, member_key, linked_at)
           SELECT ?1, ?2, ?3, j.value ->> 0, ?4, j.value ->> 1, ?5 FROM json_each(?6) AS j WHERE true
           ON CONFLICT (workspace_id, connection_id, object, record_id, audience_id) DO UPDATE SET
             member_key = excluded.member_key, linked_at = excluded.linked_at`,
        )
        .bind(workspaceId, push.connectionId, push.object, push.audienceId, now, json),
    ),
  ];
}

export async function finishPush(db: D1Database, workspaceId: string, pushId: string, failure: { code: string; message: string } | null, now: string): Promise<void> {
  await db
    .prepare(`UPDATE pushes SET status = ?, finished_at = ?, error_code = ?, error_message = ? WHERE workspace_id = ? AND id = ? AND status = 'running'`)
    .bind(failure ? 'failed' : 'succeeded', now, failure?.code ?? null, failure?.message ?? null, workspaceId, pushId)
    .run();
}

type RecordRow = {
  member_id: number;
  member_label: string;
  record_id: string | null;
  action: PushRecordOutcome;
  message: string | null;
  vendor_code: string | null;
  changes: string;
  conflicts: string;
};

/** Report lines by member id, from `afterMemberId` (keyset), at most `limit`. */
export async function pushReportLines(db: D1Database, workspaceId: string, pushId: string, afterMemberId: number, limit: number): Promise<PushReportLine[]> {
  const { results } = await db
    .prepare(
      `SELECT member_id, member_label, record_id, action, message, vendor_code, changes, conflicts FROM push_records
       WHERE push_id = ? AND workspace_id = ? AND member_id > ? ORDER BY member_id LIMIT ?`,
    )
    .bind(pushId, workspaceId, afterMemberId, limit)
    .all<RecordRow>();
  return results.map((r) => ({
    memberId: String(r.member_id),
    member: r.member_label,
    recordId: r.record_id,
    action: r.action,
    message: r.message,
    vendorCode: r.vendor_code,
    changes: parseStoredJson(z.array(FieldChange), r.changes, `push_records.changes of ${r.member_id}`),
    conflicts: parseStoredJson(z.array(TwoWayConflict), r.conflicts, `push_records.conflicts of ${r.member_id}`),
  }));
}

/** The CRM record each member is (crm_record_links), for these members of the audience: member key → record id. */
export async function rememberedRecords(
  db: D1Database,
  workspaceId: string,
  link: { connectionId: string; object: string; audienceId: string },
  memberKeys: readonly string[],
): Promise<Map<string, string>> {
  if (memberKeys.length === 0) return new Map();
  const { results } = await db
    .prepare(
      `SELECT l.member_key, l.record_id FROM json_each(?5) AS j CROSS JOIN crm_record_links AS l
       WHERE l.workspace_id = ?1 AND l.audience_id = ?4 AND l.member_key = j.value AND l.connection_id = ?2 AND l.object = ?3
       ORDER BY l.linked_at`,
    )
    .bind(workspaceId, link.connectionId, link.object, link.audienceId, JSON.stringify(memberKeys))
    .all<{ member_key: string; record_id: string }>();
  // Ordered by linked_at: the newest link of a member wins.
  return new Map(results.map((r) => [r.member_key, r.record_id]));
}
