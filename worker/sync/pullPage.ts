import type { SyncSettings } from '../../shared/schema/syncs.ts';
import { ExpiredChangeToken, type Connector, type CrmChangePage } from '../connectors/connector.ts';
import { pullSelection } from './pullSelection.ts';

/** How a run reads the CRM: by query (filters, modification stamp) or from the table's change feed. */
export type PullMode = 'query' | 'track_changes';

export type PulledPage = CrmChangePage & {
  /** The field holding each record's id (kept out of the mapping: it only links records to members). */
  idField: string | null;
};

export const EXPIRED_TOKEN_NOTICE =
  'Dynamics 365 no longer had the list of changes since the last run (it keeps it only for a while), so this run read every record again.';

type RunState = { pull_mode: PullMode | null; record_id_field: string | null; delta_from: string | null };

/**
 * Pulls the page a run is at. The mode is decided at the first page and kept for the others: a table with change
 * tracking is read from its change feed (deletions included) when the sync has no filters, since Dataverse refuses
 * $filter with change tracking; anything else by query, incremental by the modification stamp. An incremental run
 * of a change feed starts at the delta link the last successful run kept; one the CRM no longer honours makes
 * this run a full read, and the run says so.
 */
export async function pullPage(
  db: D1Database,
  connector: Connector,
  p: { workspaceId: string; runId: string; syncId: string; settings: SyncSettings; stampField: string; changedSince: string | null; seq: number; cursor: string | null },
): Promise<PulledPage> {
  const { settings } = p;
  const state = await runState(db, p.workspaceId, p.runId, p.syncId);
  let mode = state.pull_mode;
  let idField = state.record_id_field;
  // Decided with the table's metadata, which the first page reads afresh anyway; later pages read it from the run.
  if (p.seq === 0 || mode === null) {
    idField = connector.recordIdField ? await connector.recordIdField(settings.object) : null;
    const feed = connector.changes !== undefined && settings.filters.length === 0 && (await connector.tracksChanges?.(settings.object)) === true;
    mode = feed ? 'track_changes' : 'query';
    await db
      .prepare('UPDATE sync_runs SET pull_mode = ?, record_id_field = ? WHERE workspace_id = ? AND id = ?')
      .bind(mode, idField, p.workspaceId, p.runId)
      .run();
  }
  const selection = pullSelection(settings, p.stampField, p.changedSince);
  const fields = idField && !selection.fields.includes(idField) ? [...selection.fields, idField] : selection.fields;

  if (mode === 'track_changes' && connector.changes) {
    const link = p.seq === 0 ? (p.changedSince !== null ? state.delta_from : null) : p.cursor;
    let page: CrmChangePage;
    try {
      page = await connector.changes(settings.object, fields, link);
    } catch (e) {
      if (!(e instanceof ExpiredChangeToken) || p.seq !== 0) throw e;
      await db
        .prepare('UPDATE sync_runs SET changed_since = NULL, notice = ? WHERE workspace_id = ? AND id = ?')
        .bind(EXPIRED_TOKEN_NOTICE, p.workspaceId, p.runId)
        .run();
      page = await connector.changes(settings.object, fields, null);
    }
    if (page.deltaLink !== null) {
      await db.prepare('UPDATE sync_runs SET delta_link = ? WHERE workspace_id = ? AND id = ?').bind(page.deltaLink, p.workspaceId, p.runId).run();
    }
    return { ...page, idField };
  }
  const page = await connector.page(settings.object, fields, selection.filters, p.cursor);
  return { ...page, deletedIds: [], deltaLink: null, idField };
}

async function runState(db: D1Database, workspaceId: string, runId: string, syncId: string): Promise<RunState> {
  const r = await db
    .prepare(
      `SELECT r.pull_mode, r.record_id_field, s.delta_link AS delta_from FROM sync_runs r JOIN syncs s ON s.workspace_id = r.workspace_id AND s.id = r.sync_id
       WHERE r.workspace_id = ? AND r.id = ? AND r.sync_id = ?`,
    )
    .bind(workspaceId, runId, syncId)
    .first<RunState>();
  return r ?? { pull_mode: null, record_id_field: null, delta_from: null };
}
