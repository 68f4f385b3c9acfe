import type { Audience } from '../../shared/schema/audiences.ts';
import { DomainError } from '../domainError.ts';

type AudienceRow = { id: string; name: string; member_count: number; privacy_mode: number; created_at: string; updated_at: string };

const COLUMNS = 'id, name, member_count, privacy_mode, created_at, updated_at';

function toAudience(r: AudienceRow): Audience {
  return { id: r.id, name: r.name, memberCount: r.member_count, privacyMode: r.privacy_mode === 1, createdAt: r.created_at, updatedAt: r.updated_at };
}

export function insertAudienceStatement(db: D1Database, workspaceId: string, id: string, name: string, now: string, privacyMode = false): D1PreparedStatement {
  return db
    .prepare('INSERT INTO audiences (id, workspace_id, name, member_count, privacy_mode, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)')
    .bind(id, workspaceId, name, privacyMode ? 1 : 0, now, now);
}

export async function createAudience(db: D1Database, workspaceId: string, name: string, now: string, privacyMode = false): Promise<Audience> {
  const id = crypto.randomUUID();
  await insertAudienceStatement(db, workspaceId, id, name, now, privacyMode).run();
  return { id, name, memberCount: 0, privacyMode, createdAt: now, updatedAt: now };
}

export async function listAudiences(db: D1Database, workspaceId: string): Promise<Audience[]> {
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM audiences WHERE workspace_id = ? ORDER BY created_at DESC, id`)
    .bind(workspaceId)
    .all<AudienceRow>();
  return results.map(toAudience);
}

export async function findAudience(db: D1Database, workspaceId: string, id: string): Promise<Audience | null> {
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM audiences WHERE workspace_id = ? AND id = ?`)
    .bind(workspaceId, id)
    .first<AudienceRow>();
  return row ? toAudience(row) : null;
}

export async function getAudience(db: D1Database, workspaceId: string, id: string): Promise<Audience> {
  const audience = await findAudience(db, workspaceId, id);
  if (!audience) throw new DomainError('not_found', 'audience not found', { audienceId: id });
  return audience;
}

/** Joins the batch transaction, so the count moves exactly with the members written. */
export function addMembersStatement(db: D1Database, workspaceId: string, id: string, added: number, now: string): D1PreparedStatement {
  return db
    .prepare('UPDATE audiences SET member_count = member_count + ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
    .bind(added, now, workspaceId, id);
}
