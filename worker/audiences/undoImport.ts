import type { LaterImport, UndoResult } from '../../shared/schema/audiences.ts';
import { ImportSource } from '../../shared/schema/imports.ts';
import { parseStoredJson } from '../store/storedJson.ts';
import { DomainError } from '../domainError.ts';
import { getAudience } from '../store/audiences.ts';
import { laterWriters, undoImportStatements, undoRecords } from '../store/importUndos.ts';
import { undoOrder } from './undoOrder.ts';

type ImportInfo = { id: string; source: string; created_at: string; keeps_snapshots: number };

async function importInfo(db: D1Database, workspaceId: string, audienceId: string, importId: string): Promise<ImportInfo> {
  const row = await db
    .prepare('SELECT id, source, created_at, keeps_snapshots FROM imports WHERE workspace_id = ? AND audience_id = ? AND id = ?')
    .bind(workspaceId, audienceId, importId)
    .first<ImportInfo>();
  if (!row) throw new DomainError('not_found', 'import not found in this audience', { importId });
  return row;
}

/**
 * Undoes an import: its new members removed, the members it changed given their previous values back, the member
 * count following. When later imports changed the same members, it is refused with their list (newest first)
 * unless `chain`, which undoes them first, newest first. Everything happens in ONE D1 transaction whose guards
 * re-check, inside it, that no other import wrote in between: it is undone completely or not at all.
 */
export async function undoImport(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  importId: string,
  chain: boolean,
  now: string,
): Promise<UndoResult> {
  await getAudience(db, workspaceId, audienceId);
  const undone = await undoRecords(db, workspaceId, audienceId);
  if (undone.has(importId)) throw new DomainError('conflict', 'this import is already undone', { importId });

  const infos = new Map<string, ImportInfo>([[importId, await importInfo(db, workspaceId, audienceId, importId)]]);
  const laterOf = new Map<string, string[]>();
  const pending = [importId];
  while (pending.length) {
    const id = pending.pop() as string;
    const info = infos.get(id) as ImportInfo;
    const later = (await laterWriters(db, workspaceId, audienceId, id, info.created_at)).filter((l) => !undone.has(l));
    laterOf.set(id, later);
    for (const l of later) {
      if (infos.has(l)) continue;
      infos.set(l, await importInfo(db, workspaceId, audienceId, l));
      pending.push(l);
    }
  }
  const order = undoOrder(importId, laterOf, new Map([...infos].map(([id, i]) => [id, i.created_at])));
  const blockers = order.slice(0, -1);
  const describe = (id: string): LaterImport => {
    const i = infos.get(id) as ImportInfo;
    return { id, source: parseStoredJson(ImportSource, i.source, `imports.source of ${id}`), createdAt: i.created_at };
  };
  if (blockers.length && !chain) {
    throw new DomainError('conflict',
      `${blockers.length} later import${blockers.length === 1 ? '' : 's'} changed the same members; undo ${blockers.length === 1 ? 'it' : 'them'} first`,
      { laterImports: blockers.map(describe) },
    );
  }
  const withoutSnapshots = order.filter((id) => !(infos.get(id) as ImportInfo).keeps_snapshots);
  if (withoutSnapshots.length) {
    throw new DomainError('conflict', 'imports made before undo existed did not keep previous values and cannot be undone', {
      imports: withoutSnapshots.map(describe),
    });
  }

  try {
    await db.batch(order.flatMap((id) => undoImportStatements(db, workspaceId, audienceId, id, now)));
  } catch (e) {
    if (e instanceof Error && /constraint/i.test(e.message)) {
      throw new DomainError('conflict', 'the audience changed while undoing (another import wrote to it); nothing was undone, try again', {
        importId,
      });
    }
    throw e;
  }
  const records = await undoRecords(db, workspaceId, audienceId);
  return {
    undone: order.map((id) => {
      const r = records.get(id);
      return { importId: id, removed: r?.removed ?? 0, restored: r?.restored ?? 0, undoneAt: r?.undoneAt ?? now };
    }),
    audience: await getAudience(db, workspaceId, audienceId),
  };
}
