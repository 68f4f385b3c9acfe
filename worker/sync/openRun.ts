import { importedColumns } from '../../shared/mapping/importedColumns.ts';
import type { CrmKind } from '../../shared/schema/crm.ts';
import type { ImportPlan } from '../../shared/schema/importPlan.ts';
import type { SyncSettings } from '../../shared/schema/syncs.ts';
import type { Connector } from '../connectors/connector.ts';
import { openConnector } from '../connectors/openConnector.ts';
import { batchSealerFor, type BatchSealer } from '../crypto/batchSealer.ts';
import { keyedHasherFor, type KeyedHasher } from '../crypto/keyedHash.ts';
import { DomainError } from '../domainError.ts';
import { getImport } from '../store/imports.ts';
import { MODIFICATION_STAMP } from './stampFields.ts';
import { getRunRow, getSync, versionSettings } from './syncStore.ts';

/** A running run as one step of it needs it: read from D1 once per step, then used for every page of the step. */
export type OpenRun = {
  env: Env;
  workspaceId: string;
  runId: string;
  syncId: string;
  connectionId: string;
  kind: CrmKind;
  importId: string;
  audienceId: string;
  /** NULL for a full run; else the instant an incremental run asks "changed after". */
  changedSince: string | null;
  plan: ImportPlan;
  settings: SyncSettings;
  connector: Connector;
  stampField: string;
  columns: { column: string }[];
  seal: BatchSealer;
  hasher: KeyedHasher;
  /** Where the run is: the first page not stored yet (the import's next_seq) and the rows received so far. */
  nextSeq: number;
  received: number;
};

/** The run, or null when it has ended (finished, or its import closed): a step then has nothing to do. */
export async function openRun(env: Env, workspaceId: string, runId: string): Promise<OpenRun | null> {
  const db = env.DB;
  const run = await getRunRow(db, workspaceId, runId);
  const imported = await getImport(db, workspaceId, run.import_id);
  if (run.status !== 'running' || imported.summary.status !== 'open') return null;
  const [sync, settings] = await Promise.all([getSync(db, workspaceId, run.sync_id), versionSettings(db, workspaceId, run.sync_id, run.version)]);
  const opened = await openConnector(env, workspaceId, sync.connectionId);
  if (!opened) throw new DomainError('not_found', 'the CRM connection of this sync no longer exists', { connectionId: sync.connectionId });
  const stampField = MODIFICATION_STAMP[opened.connection.kind];
  const [seal, hasher] = await Promise.all([batchSealerFor(env.ENCRYPTION_KEY), keyedHasherFor(env.HASH_KEY)]);
  return {
    env,
    workspaceId,
    runId,
    syncId: run.sync_id,
    connectionId: sync.connectionId,
    kind: opened.connection.kind,
    importId: run.import_id,
    audienceId: sync.audienceId,
    changedSince: run.changed_since,
    plan: imported.plan,
    settings,
    connector: opened.connector,
    stampField,
    columns: importedColumns(settings.mapping),
    seal,
    hasher,
    nextSeq: imported.summary.nextSeq,
    received: imported.summary.counts.received,
  };
}
