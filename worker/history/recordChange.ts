import type { Context } from 'hono';
import type { ChangeActor, ChangeSubject } from '../../shared/schema/history.ts';
import { withoutSecrets } from '../../shared/history/withoutSecrets.ts';
import type { AppEnv } from '../http/appEnv.ts';

/**
 * The change history's one writer. Routes that change an integration, a table config, a template, a sync, export
 * settings, a role or a token build the statement with `changeStatement` and put it in the same `db.batch` as the
 * change (one D1 transaction: no change without its entry, no entry for a change that failed), or call
 * `recordChange` right after a change that cannot be batched (a CRM round trip, a library's own write).
 */
export type Change = {
  workspaceId: string;
  actor: ChangeActor;
  subject: ChangeSubject;
  /** created, updated, disabled, enabled, access_removed, reconnected, paused, resumed, revoked, invited, … */
  action: string;
  before: unknown;
  after: unknown;
};

const stored = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(withoutSecrets(value)));

/** The INSERT of one history entry, to go into the batch of the change it describes. */
export function changeStatement(db: D1Database, change: Change, at: string = new Date().toISOString()): D1PreparedStatement {
  const { workspaceId, actor, subject, action, before, after } = change;
  return db
    .prepare(
      `INSERT INTO change_history (id, workspace_id, at, actor_kind, actor_id, actor_label, subject_kind, subject_id, subject_label, connection_id, action, before, after)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      crypto.randomUUID(),
      workspaceId,
      at,
      actor.kind,
      actor.id,
      actor.label,
      subject.kind,
      subject.id,
      subject.label,
      subject.connectionId ?? null,
      action,
      stored(before),
      stored(after),
    );
}

/** Records one change on its own (when it cannot share the change's batch). */
export async function recordChange(db: D1Database, change: Change): Promise<void> {
  await changeStatement(db, change).run();
}

/**
 * Who is making this request, as the history names them: the signed-in person ("Ada Lovelace <ada@example.com>")
 * or the API token ("API token “Nightly export”"). Read when the change is made, so the entry keeps the name it had.
 */
export async function actorOf(c: Context<AppEnv>): Promise<ChangeActor> {
  const db = c.env.DB;
  const userId = c.var.userId;
  if (userId) {
    const user = await db.prepare('SELECT name, email FROM "user" WHERE id = ?').bind(userId).first<{ name: string; email: string }>();
    return { kind: 'user', id: userId, label: user ? `${user.name} <${user.email}>` : userId };
  }
  const tokenId = c.var.apiTokenId;
  if (tokenId) {
    const token = await db.prepare('SELECT name FROM api_tokens WHERE id = ? AND workspace_id = ?').bind(tokenId, c.var.workspaceId).first<{ name: string }>();
    return { kind: 'api_token', id: tokenId, label: `API token “${token?.name ?? tokenId}”` };
  }
  return { kind: 'api_token', id: 'unknown', label: 'an API token' };
}

/** The change of this request, made by its caller in its workspace: what routes pass to changeStatement. */
export async function changeBy(c: Context<AppEnv>, change: Omit<Change, 'workspaceId' | 'actor'>): Promise<Change> {
  return { workspaceId: c.var.workspaceId, actor: await actorOf(c), ...change };
}
