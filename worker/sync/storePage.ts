import { importedColumns } from '../../shared/mapping/importedColumns.ts';
import type { BatchRow } from '../../shared/schema/imports.ts';
import { openConnector } from '../connectors/openConnector.ts';
import { batchSealerFor } from '../crypto/batchSealer.ts';
import { keyedHasherFor } from '../crypto/keyedHash.ts';
import { keyedIdentifierHash } from '../imports/identifierKey.ts';
import { DomainError } from '../domainError.ts';
import { classifyRows } from '../imports/classifyRows.ts';
import { ingestBatch } from '../imports/ingestBatch.ts';
import { getImport } from '../store/imports.ts';
import { removeMembers, unmarkMembers } from './removeMembers.ts';
import { pullPage } from './pullPage.ts';
import { linkRecordsStatements, removeDeletedRecords, type LinkScope } from './recordLinks.ts';
import { MODIFICATION_STAMP } from './stampFields.ts';
import { cursorFor, getRunRow, getSync, saveCursorStatement, versionSettings } from './syncStore.ts';
import { laterStamp } from './updateCycle.ts';

export type PageOutcome = { done: boolean; seq: number; pulled: number };

/** A CRM's true/false as text ("true", "false"; null when empty): anything but "true" is not flagged. */
const isFlagged = (value: string | null | undefined) => value === 'true';

/**
 * One step of a run: pull the page the run is at and store it. Where the run is comes from D1 alone (the import's
 * next_seq and the cursor saved for that page), so a step that is retried, or a run resumed after its Worker
 * died, continues at the first page not yet stored; a page stored twice is answered from the stored batch
 * (same seq, same idempotency key), never counted twice.
 *
 * Order: the cursor of the next page is saved before this page is stored, so once page N is in, the cursor of
 * page N+1 is too.
 */
export async function storeNextPage(env: Env, workspaceId: string, runId: string): Promise<PageOutcome> {
  const db = env.DB;
  const run = await getRunRow(db, workspaceId, runId);
  const imported = await getImport(db, workspaceId, run.import_id);
  const seq = imported.summary.nextSeq;
  if (run.status !== 'running' || imported.summary.status !== 'open') return { done: true, seq, pulled: 0 };
  const cursor = await cursorFor(db, runId, seq);
  if (cursor === undefined) return { done: true, seq, pulled: 0 };

  const sync = await getSync(db, workspaceId, run.sync_id);
  const settings = await versionSettings(db, workspaceId, run.sync_id, run.version);
  const opened = await openConnector(env, workspaceId, sync.connectionId);
  if (!opened) throw new DomainError('not_found', 'the CRM connection of this sync no longer exists', { connectionId: sync.connectionId });
  const stampField = MODIFICATION_STAMP[opened.connection.kind];
  const page = await pullPage(db, opened.connector, { workspaceId, runId, syncId: run.sync_id, settings, stampField, changedSince: run.changed_since, seq, cursor });
  if (page.nextCursor !== null) await saveCursorStatement(db, runId, seq + 1, page.nextCursor).run();

  const columns = importedColumns(settings.mapping);
  const firstRow = imported.summary.counts.received + 1;
  const staying: BatchRow[] = [];
  const leaving: BatchRow[] = [];
  const stayingIds: (string | null)[] = [];
  let largestStamp: string | null = null;
  for (const record of page.records) {
    largestStamp = laterStamp(largestStamp, record[stampField] ?? null);
    const values = columns.map((c) => record[c.column] ?? '');
    if (settings.flagField && !isFlagged(record[settings.flagField])) leaving.push({ row: 0, values });
    else {
      staying.push({ row: firstRow + staying.length, values });
      stayingIds.push(page.idField ? (record[page.idField] ?? null) : null);
    }
  }

  const now = () => new Date().toISOString();
  const [seal, hasher] = await Promise.all([batchSealerFor(env.ENCRYPTION_KEY), keyedHasherFor(env.HASH_KEY)]);
  await ingestBatch({ db, seal, hasher, workspaceId, importId: run.import_id, now }, { seq, idempotencyKey: `sync-run-${runId}-${seq}`, rows: staying });
  const keyOf = keyedIdentifierHash(hasher);
  const keysOf = (rows: BatchRow[]) => classifyRows(rows, imported.plan, keyOf).accepted.map((r) => r.key);
  const scope: LinkScope = { workspaceId, connectionId: sync.connectionId, object: settings.object, audienceId: sync.audienceId };
  const stored = classifyRows(staying, imported.plan, keyOf).accepted;
  const linking = linkRecordsStatements(db, scope, stored.map((r) => ({ recordId: stayingIds[r.index] ?? null, memberKey: r.key })), now());
  if (linking.length) await db.batch(linking);
  let removed = await removeMembers(db, { workspaceId, audienceId: sync.audienceId, keys: keysOf(leaving), rule: settings.deletionRule, now: now() });
  removed += await removeDeletedRecords(db, scope, page.deletedIds, settings.deletionRule, now());
  if (settings.deletionRule === 'keep_and_mark') await unmarkMembers(db, { workspaceId, audienceId: sync.audienceId, keys: stored.map((r) => r.key) });
  await db
    .prepare(
      `UPDATE sync_runs SET pulled = pulled + ?, removed = removed + ?,
         high_water_mark = CASE WHEN ? IS NULL THEN high_water_mark WHEN high_water_mark IS NULL OR high_water_mark < ? THEN ? ELSE high_water_mark END
       WHERE workspace_id = ? AND id = ?`,
    )
    .bind(page.records.length, removed, largestStamp, largestStamp, largestStamp, workspaceId, runId)
    .run();
  return { done: page.nextCursor === null, seq, pulled: page.records.length };
}
