import { describeChanges } from '../../shared/history/changeDiff.ts';
import { ChangeEntry, ChangeValue, type ChangeHistoryPage, type ChangeSubjectKind } from '../../shared/schema/history.ts';
import { DomainError } from '../domainError.ts';

type Row = {
  id: string;
  at: string;
  actor_kind: 'user' | 'api_token';
  actor_id: string;
  actor_label: string;
  subject_kind: string;
  subject_id: string;
  subject_label: string;
  connection_id: string | null;
  action: string;
  before: string | null;
  after: string | null;
};

const storedValue = (json: string | null): ChangeValue | null => (json === null ? null : ChangeValue.parse(JSON.parse(json)));

function toEntry(r: Row): ChangeEntry {
  const before = storedValue(r.before);
  const after = storedValue(r.after);
  return ChangeEntry.parse({
    id: r.id,
    at: r.at,
    actor: { kind: r.actor_kind, id: r.actor_id, label: r.actor_label },
    subject: { kind: r.subject_kind, id: r.subject_id, label: r.subject_label, connectionId: r.connection_id },
    action: r.action,
    before,
    after,
    changes: describeChanges(before, after),
  });
}

// The cursor is the last entry's (at, id): newest first, and two entries of the same millisecond keep their order.
const cursorOf = (r: Row) => `${r.at}_${r.id}`;
function parseCursor(cursor: string): [string, string] {
  const at = cursor.slice(0, cursor.indexOf('_'));
  const id = cursor.slice(cursor.indexOf('_') + 1);
  if (!at || !id || Number.isNaN(Date.parse(at))) throw new DomainError('validation_failed', 'cursor: not a cursor from this list', [{ path: ['cursor'], message: 'not a cursor from this list' }]);
  return [at, id];
}

/** A page of the workspace's change history, newest first, optionally of one subject kind or one integration. */
export async function listChanges(
  db: D1Database,
  workspaceId: string,
  q: { kind?: ChangeSubjectKind | undefined; connectionId?: string; cursor?: string | undefined; limit: number },
): Promise<ChangeHistoryPage> {
  const where = ['workspace_id = ?'];
  const params: (string | number)[] = [workspaceId];
  if (q.kind) {
    where.push('subject_kind = ?');
    params.push(q.kind);
  }
  if (q.connectionId !== undefined) {
    where.push('connection_id = ?');
    params.push(q.connectionId);
  }
  if (q.cursor) {
    const [at, id] = parseCursor(q.cursor);
    where.push('(at < ? OR (at = ? AND id < ?))');
    params.push(at, at, id);
  }
  const { results } = await db
    .prepare(`SELECT * FROM change_history WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`)
    .bind(...params, q.limit + 1)
    .all<Row>();
  const page = results.slice(0, q.limit);
  const last = page.at(-1);
  return { entries: page.map(toEntry), nextCursor: results.length > q.limit && last ? cursorOf(last) : null };
}
