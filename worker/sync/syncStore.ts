import { CrmKind } from '../../shared/schema/crm.ts';
import { ImportCounts } from '../../shared/schema/imports.ts';
import { SyncSettings, type Sync, type SyncHealth, type SyncRun } from '../../shared/schema/syncs.ts';
import { DomainError } from '../domainError.ts';
import { parseStoredJson } from '../store/storedJson.ts';

/** D1 access for syncs, their versions, runs and run cursors. Every query is scoped to the workspace. */

type SyncRow = {
  id: string;
  workspace_id: string;
  name: string;
  connection_id: string;
  audience_id: string;
  current_version: number;
  paused: number;
  consent_by: string;
  consent_at: string;
  high_water_mark: string | null;
  next_run_at: string | null;
  running_run_id: string | null;
  reconciled_at: string | null;
  created_at: string;
  updated_at: string;
  settings: string;
};

export type RunRow = {
  id: string;
  workspace_id: string;
  sync_id: string;
  version: number;
  import_id: string;
  trigger: 'schedule' | 'manual';
  status: 'running' | 'succeeded' | 'failed';
  changed_since: string | null;
  high_water_mark: string | null;
  pulled: number;
  removed: number;
  error_code: string | null;
  error_message: string | null;
  notice: string | null;
  pull_mode: 'query' | 'track_changes' | null;
  record_id_field: string | null;
  reconcile: 'skip' | 'ids' | 'sweep' | 'done' | null;
  reconcile_seq: number;
  reconcile_cursor: string | null;
  started_at: string;
  finished_at: string | null;
  received: number;
  inserted: number;
  updated: number;
  duplicates: number;
  rejected: number;
  skipped: number;
};

/** A sync as stored, with its current version's settings. */
export type StoredSync = {
  id: string;
  workspaceId: string;
  connectionId: string;
  audienceId: string;
  version: number;
  settings: SyncSettings;
  paused: boolean;
  consentBy: string;
  consentAt: string;
  highWaterMark: string | null;
  nextRunAt: string | null;
  runningRunId: string | null;
  /** When the sync's records were last compared with the CRM as a whole (worker/sync/reconcile.ts). */
  reconciledAt: string | null;
  createdAt: string;
  updatedAt: string;
};

const SYNC_SELECT = `SELECT s.*, v.settings FROM syncs s JOIN sync_versions v ON v.sync_id = s.id AND v.version = s.current_version`;
const RUN_SELECT = `SELECT r.*, i.received, i.inserted, i.updated, i.duplicates, i.rejected, i.skipped
  FROM sync_runs r JOIN imports i ON i.id = r.import_id`;

function toStoredSync(r: SyncRow): StoredSync {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    connectionId: r.connection_id,
    audienceId: r.audience_id,
    version: r.current_version,
    settings: parseStoredJson(SyncSettings, r.settings, `sync_versions.settings of ${r.id}`),
    paused: r.paused === 1,
    consentBy: r.consent_by,
    consentAt: r.consent_at,
    highWaterMark: r.high_water_mark,
    nextRunAt: r.next_run_at,
    runningRunId: r.running_run_id,
    reconciledAt: r.reconciled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toSyncRun(r: RunRow): SyncRun {
  return {
    id: r.id,
    syncId: r.sync_id,
    version: r.version,
    importId: r.import_id,
    trigger: r.trigger,
    status: r.status,
    incremental: r.changed_since !== null,
    changedSince: r.changed_since,
    pulled: r.pulled,
    counts: ImportCounts.parse({ received: r.received, inserted: r.inserted, updated: r.updated, duplicates: r.duplicates, rejected: r.rejected, skipped: r.skipped }),
    removed: r.removed,
    errorCode: r.error_code,
    error: r.error_message,
    ...(r.notice ? { notice: r.notice } : {}),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function findSync(db: D1Database, workspaceId: string, id: string): Promise<StoredSync | null> {
  const r = await db.prepare(`${SYNC_SELECT} WHERE s.workspace_id = ? AND s.id = ?`).bind(workspaceId, id).first<SyncRow>();
  return r ? toStoredSync(r) : null;
}

export async function getSync(db: D1Database, workspaceId: string, id: string): Promise<StoredSync> {
  const found = await findSync(db, workspaceId, id);
  if (!found) throw new DomainError('not_found', 'sync not found', { syncId: id });
  return found;
}

export async function listSyncs(db: D1Database, workspaceId: string): Promise<StoredSync[]> {
  const { results } = await db.prepare(`${SYNC_SELECT} WHERE s.workspace_id = ? ORDER BY s.created_at, s.id`).bind(workspaceId).all<SyncRow>();
  return results.map(toStoredSync);
}

/** The settings of one version (a run reads the version it started with, whatever was edited since). */
export async function versionSettings(db: D1Database, workspaceId: string, syncId: string, version: number): Promise<SyncSettings> {
  const r = await db
    .prepare('SELECT settings FROM sync_versions WHERE workspace_id = ? AND sync_id = ? AND version = ?')
    .bind(workspaceId, syncId, version)
    .first<{ settings: string }>();
  if (!r) throw new DomainError('not_found', 'sync version not found', { syncId, version });
  return parseStoredJson(SyncSettings, r.settings, `sync_versions.settings of ${syncId} v${version}`);
}

export type NewSync = {
  id: string;
  name: string;
  connectionId: string;
  audienceId: string;
  settings: SyncSettings;
  consentBy: string;
  consentUserId: string | null;
  nextRunAt: string | null;
  now: string;
};

export function insertSyncStatements(db: D1Database, workspaceId: string, s: NewSync): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO syncs (id, workspace_id, name, connection_id, audience_id, current_version, consent_by, consent_user_id, consent_at, next_run_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(s.id, workspaceId, s.name, s.connectionId, s.audienceId, s.consentBy, s.consentUserId, s.now, s.nextRunAt, s.now, s.now),
    db
      .prepare('INSERT INTO sync_versions (workspace_id, sync_id, version, settings, created_at) VALUES (?, ?, 1, ?, ?)')
      .bind(workspaceId, s.id, JSON.stringify(s.settings), s.now),
  ];
}

/**
 * A new version, made current in the same transaction. The version number is computed inside the statements, so
 * two edits at once make two versions rather than one overwriting the other.
 */
export async function addVersion(
  db: D1Database,
  workspaceId: string,
  syncId: string,
  settings: SyncSettings,
  nextRun: string | null,
  selectionChanged: boolean,
  now: string,
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO sync_versions (workspace_id, sync_id, version, settings, created_at)
         SELECT workspace_id, id, current_version + 1, ?, ? FROM syncs WHERE workspace_id = ? AND id = ?`,
      )
      .bind(JSON.stringify(settings), now, workspaceId, syncId),
    db
      .prepare(
        `UPDATE syncs SET current_version = current_version + 1, name = ?, next_run_at = ?, updated_at = ?,
           high_water_mark = CASE WHEN ? THEN NULL ELSE high_water_mark END
         WHERE workspace_id = ? AND id = ?`,
      )
      .bind(settings.name, nextRun, now, selectionChanged ? 1 : 0, workspaceId, syncId),
  ]);
}

export async function setPaused(db: D1Database, workspaceId: string, syncId: string, paused: boolean, nextRun: string | null, now: string): Promise<void> {
  await db
    .prepare('UPDATE syncs SET paused = ?, next_run_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
    .bind(paused ? 1 : 0, nextRun, now, workspaceId, syncId)
    .run();
}

/**
 * The guard that keeps runs of one sync from overlapping: one statement that claims the sync for `runId` only when
 * no running run holds it. True when this caller got it.
 */
export async function claimSync(db: D1Database, workspaceId: string, syncId: string, runId: string): Promise<boolean> {
  const r = await db
    .prepare(
      // A holder whose run already ended (its release was lost) holds nothing.
      `UPDATE syncs SET running_run_id = ?1 WHERE workspace_id = ?2 AND id = ?3
         AND (running_run_id IS NULL OR running_run_id IN (SELECT id FROM sync_runs WHERE workspace_id = ?2 AND sync_id = ?3 AND status != 'running'))`,
    )
    .bind(runId, workspaceId, syncId)
    .run();
  return r.meta.changes === 1;
}

/**
 * Lets the next run start; `highWaterMark` only when the run succeeded, and only when it ran the current version
 * (a run of an older selection says nothing about what the new one has seen). Only the holder can release.
 */
export function releaseSyncStatement(
  db: D1Database,
  workspaceId: string,
  syncId: string,
  runId: string,
  highWaterMark: { mark: string | null; version: number } | null,
  nextRun: string | null,
  now: string,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE syncs SET running_run_id = NULL,
         high_water_mark = CASE WHEN current_version = ? THEN COALESCE(?, high_water_mark) ELSE high_water_mark END,
         next_run_at = CASE WHEN paused = 1 THEN NULL ELSE ? END, updated_at = ?
       WHERE workspace_id = ? AND id = ? AND running_run_id = ?`,
    )
    .bind(highWaterMark?.version ?? -1, highWaterMark?.mark ?? null, nextRun, now, workspaceId, syncId, runId);
}

export type NewRun = {
  id: string;
  syncId: string;
  version: number;
  importId: string;
  trigger: 'schedule' | 'manual';
  changedSince: string | null;
  now: string;
};

export function insertRunStatement(db: D1Database, workspaceId: string, r: NewRun): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO sync_runs (id, workspace_id, sync_id, version, import_id, trigger, status, changed_since, started_at)
       VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
    )
    .bind(r.id, workspaceId, r.syncId, r.version, r.importId, r.trigger, r.changedSince, r.now);
}

export async function findRun(db: D1Database, workspaceId: string, runId: string): Promise<SyncRun | null> {
  const r = await db.prepare(`${RUN_SELECT} WHERE r.workspace_id = ? AND r.id = ?`).bind(workspaceId, runId).first<RunRow>();
  return r ? toSyncRun(r) : null;
}

export async function getRunRow(db: D1Database, workspaceId: string, runId: string): Promise<RunRow> {
  const r = await db.prepare(`${RUN_SELECT} WHERE r.workspace_id = ? AND r.id = ?`).bind(workspaceId, runId).first<RunRow>();
  if (!r) throw new DomainError('not_found', 'sync run not found', { runId });
  return r;
}

export async function listRuns(db: D1Database, workspaceId: string, syncId: string, limit: number): Promise<SyncRun[]> {
  const { results } = await db
    .prepare(`${RUN_SELECT} WHERE r.workspace_id = ? AND r.sync_id = ? ORDER BY r.started_at DESC, r.rowid DESC LIMIT ?`)
    .bind(workspaceId, syncId, limit)
    .all<RunRow>();
  return results.map(toSyncRun);
}

/** When the current streak of failed runs began: the first failure after the last success, or null. */
async function failingSince(db: D1Database, workspaceId: string, syncId: string): Promise<string | null> {
  const r = await db
    .prepare(
      `SELECT min(started_at) AS since FROM sync_runs WHERE workspace_id = ? AND sync_id = ? AND status = 'failed'
         AND started_at > COALESCE((SELECT max(started_at) FROM sync_runs WHERE workspace_id = ? AND sync_id = ? AND status = 'succeeded'), '')`,
    )
    .bind(workspaceId, syncId, workspaceId, syncId)
    .first<{ since: string | null }>();
  return r?.since ?? null;
}

/** The sync as the API shows it: its health from its last run. */
export async function toPublicSync(db: D1Database, s: StoredSync): Promise<Sync> {
  const [lastRun] = await listRuns(db, s.workspaceId, s.id, 1);
  const since = lastRun?.status === 'failed' ? await failingSince(db, s.workspaceId, s.id) : null;
  let health: SyncHealth;
  if (lastRun?.status === 'running') health = 'running';
  else if (lastRun?.status === 'failed') health = lastRun.errorCode === 'crm_auth_failed' ? 'needs_reconnect' : 'failing';
  else if (s.paused) health = 'paused';
  else health = lastRun ? 'healthy' : 'never_run';
  return {
    id: s.id,
    connectionId: s.connectionId,
    audienceId: s.audienceId,
    version: s.version,
    settings: s.settings,
    paused: s.paused,
    consent: { confirmedBy: s.consentBy, confirmedAt: s.consentAt },
    health,
    failingSince: since,
    lastRun: lastRun ?? null,
    nextRunAt: s.paused ? null : s.nextRunAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** The syncs whose time has come, across workspaces (the cron handler's question), oldest due first. */
export async function dueSyncs(db: D1Database, now: string, limit: number): Promise<{ id: string; workspaceId: string }[]> {
  const { results } = await db
    // A sync of a disabled integration is not due: it runs again, at once, when the integration is enabled.
    .prepare(
      `SELECT id, workspace_id FROM syncs WHERE paused = 0 AND next_run_at <= ? AND running_run_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM crm_connections c WHERE c.workspace_id = syncs.workspace_id AND c.id = syncs.connection_id AND c.disabled_at IS NOT NULL)
       ORDER BY next_run_at LIMIT ?`,
    )
    .bind(now, limit)
    .all<{ id: string; workspace_id: string }>();
  return results.map((r) => ({ id: r.id, workspaceId: r.workspace_id }));
}

export async function connectionKind(db: D1Database, workspaceId: string, connectionId: string): Promise<CrmKind | null> {
  const r = await db.prepare('SELECT kind FROM crm_connections WHERE workspace_id = ? AND id = ?').bind(workspaceId, connectionId).first<{ kind: string }>();
  const parsed = CrmKind.safeParse(r?.kind);
  return parsed.success ? parsed.data : null;
}

/** The cursor that fetches page `seq`; null for the first page. `undefined`: the run has no page `seq` (it ended). */
export async function cursorFor(db: D1Database, runId: string, seq: number): Promise<string | null | undefined> {
  if (seq === 0) return null;
  const r = await db.prepare('SELECT cursor FROM sync_run_cursors WHERE run_id = ? AND seq = ?').bind(runId, seq).first<{ cursor: string }>();
  return r ? r.cursor : undefined;
}

export function saveCursorStatement(db: D1Database, runId: string, seq: number, cursor: string): D1PreparedStatement {
  return db.prepare('INSERT OR REPLACE INTO sync_run_cursors (run_id, seq, cursor) VALUES (?, ?, ?)').bind(runId, seq, cursor);
}

/** A deleted audience takes its syncs along, with their versions, runs and cursors (children first: D1 enforces the keys). */
export function deleteSyncsOfAudienceStatements(db: D1Database, workspaceId: string, audienceId: string): D1PreparedStatement[] {
  const syncsOf = 'SELECT id FROM syncs WHERE workspace_id = ?1 AND audience_id = ?2';
  return [
    // The allowed values those syncs gave fields go with them (as when one sync is deleted).
    db.prepare(`DELETE FROM field_allowed_values WHERE workspace_id = ?1 AND sync_id IN (${syncsOf})`).bind(workspaceId, audienceId),
    db.prepare(`DELETE FROM sync_run_cursors WHERE run_id IN (SELECT id FROM sync_runs WHERE workspace_id = ?1 AND sync_id IN (${syncsOf}))`).bind(workspaceId, audienceId),
    db.prepare(`DELETE FROM sync_runs WHERE workspace_id = ?1 AND sync_id IN (${syncsOf})`).bind(workspaceId, audienceId),
    db.prepare(`DELETE FROM sync_versions WHERE workspace_id = ?1 AND sync_id IN (${syncsOf})`).bind(workspaceId, audienceId),
    db.prepare('DELETE FROM syncs WHERE workspace_id = ?1 AND audience_id = ?2').bind(workspaceId, audienceId),
  ];
}

/**
 * Deleting a sync, the statements after the caller holds its claim (deleteSync): the sync, its versions, runs and
 * cursors go (children first: D1 enforces the keys); the imports its runs made stay in the audience's import
 * history. The allowed values it gave fields go (it no longer limits them). Its record links stay, for pushes from
 * the audience to the CRM (which record is which member: a push updates it instead of creating a duplicate), but no
 * sync owns them any more (seen_by_run NULL): a later sync into the audience never sweeps a member because of them.
 */
export function deleteSyncStatements(db: D1Database, workspaceId: string, sync: StoredSync): D1PreparedStatement[] {
  return [
    db.prepare('DELETE FROM field_allowed_values WHERE workspace_id = ? AND sync_id = ?').bind(workspaceId, sync.id),
    db
      .prepare(
        `UPDATE crm_record_links SET seen_by_run = NULL WHERE workspace_id = ?1 AND connection_id = ?2 AND audience_id = ?3
           AND object IN (SELECT json_extract(settings, '$.object') FROM sync_versions WHERE workspace_id = ?1 AND sync_id = ?4)`,
      )
      .bind(workspaceId, sync.connectionId, sync.audienceId, sync.id),
    db.prepare('DELETE FROM sync_run_cursors WHERE run_id IN (SELECT id FROM sync_runs WHERE workspace_id = ? AND sync_id = ?)').bind(workspaceId, sync.id),
    db.prepare('DELETE FROM sync_runs WHERE workspace_id = ? AND sync_id = ?').bind(workspaceId, sync.id),
    db.prepare('DELETE FROM sync_versions WHERE workspace_id = ? AND sync_id = ?').bind(workspaceId, sync.id),
    db.prepare('DELETE FROM syncs WHERE workspace_id = ? AND id = ?').bind(workspaceId, sync.id),
  ];
}
