import type { SyncSettings } from '../../shared/schema/syncs.ts';
import { openConnector } from '../connectors/openConnector.ts';
import { mappedPickLists, type MappedPickList } from './mappedPickLists.ts';

/**
 * At a run's start, before its import fixes its plan: the allowed values this sync gives the fields it maps pick
 * lists onto follow the pick lists as the CRM describes them now (one D1 transaction): values it no longer lists
 * are kept as retired (a value offered again is active again), new ones come marked as awaiting a full pull (see
 * takeOwedFullPull), the others keep their mark; the values of a pick list it no longer maps go. Runs before
 * the sync is claimed, so the CRM's answer time never widens the moment two triggers race for the claim.
 *
 * A CRM that cannot be asked leaves the values of the last refresh in place and the run goes on: its pages meet the
 * same trouble and say so in the run's history, where a marketer sees it (a failed start would leave no run).
 */
export async function refreshPickLists(
  env: Env,
  p: { workspaceId: string; syncId: string; connectionId: string; settings: SyncSettings; now: string },
): Promise<boolean> {
  let lists: MappedPickList[];
  try {
    const opened = await openConnector(env, p.workspaceId, p.connectionId);
    if (!opened) return false;
    lists = mappedPickLists(p.settings.mapping, await opened.connector.describe(p.settings.object));
  } catch (e) {
    console.warn('pick lists not refreshed at the start of a sync run', p.syncId, e instanceof Error ? e.message : e);
    return false;
  }
  const db = env.DB;
  // One JSON parameter for every value (D1 binds at most 100 parameters a statement).
  const values = JSON.stringify(lists.flatMap((l) => l.values.map((v, position) => [l.fieldKey, l.crmField, v.code, v.label, position, l.multiple ? 1 : 0])));
  const mapped = JSON.stringify(lists.map((l) => [l.fieldKey, l.crmField]));
  await db.batch([
    // A pick list the sync no longer maps onto a field (or maps another CRM field onto it) gives it nothing now.
    db
      .prepare(
        `DELETE FROM field_allowed_values WHERE workspace_id = ?1 AND sync_id = ?2
           AND (field_key, crm_field) NOT IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?3))`,
      )
      .bind(p.workspaceId, p.syncId, mapped),
    // A value the CRM stopped offering is kept, retired: members holding it keep it; no import may store it.
    db
      .prepare(
        `UPDATE field_allowed_values SET retired_at = ?4 WHERE workspace_id = ?1 AND sync_id = ?2 AND retired_at IS NULL
           AND (field_key, code) NOT IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[2]') FROM json_each(?3))`,
      )
      .bind(p.workspaceId, p.syncId, values, p.now),
    db
      .prepare(
        `INSERT INTO field_allowed_values (workspace_id, field_key, sync_id, crm_field, code, label, position, multiple, refreshed_at)
         SELECT ?1, json_extract(value, '$[0]'), ?2, json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                json_extract(value, '$[4]'), json_extract(value, '$[5]'), ?3
         FROM json_each(?4) WHERE true
         ON CONFLICT (workspace_id, field_key, sync_id, code) DO UPDATE SET
           crm_field = excluded.crm_field, label = excluded.label, position = excluded.position, multiple = excluded.multiple,
           refreshed_at = excluded.refreshed_at, retired_at = NULL`,
      )
      .bind(p.workspaceId, p.syncId, p.now, values),
  ]);
  return true;
}

/**
 * Whether the run that just claimed the sync owes a full pull because a pick list gained values since the last run
 * started: records rejected for such a value are not "changed since" and would never come back by themselves. Taken
 * by the claim's holder only (one statement), so two triggers at once cannot both take it or both miss it.
 */
export async function takeOwedFullPull(db: D1Database, workspaceId: string, syncId: string): Promise<boolean> {
  const taken = await db
    .prepare('UPDATE field_allowed_values SET awaiting_full_pull = 0 WHERE workspace_id = ? AND sync_id = ? AND awaiting_full_pull = 1')
    .bind(workspaceId, syncId)
    .run();
  return taken.meta.changes > 0;
}
