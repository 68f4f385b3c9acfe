import { BUILT_IN_FIELDS, fieldKeyFromLabel } from '../../shared/fields/builtInFields.ts';
import type { CreateFieldBody, Field, FieldType } from '../../shared/schema/fields.ts';
import { DomainError } from '../domainError.ts';

type FieldRow = { key: string; label: string; type: FieldType };

/** Built-in fields first, then the workspace's custom fields in creation order. */
export async function listFields(db: D1Database, workspaceId: string): Promise<Field[]> {
  const { results } = await db
    .prepare('SELECT key, label, type FROM fields WHERE workspace_id = ? ORDER BY created_at, key')
    .bind(workspaceId)
    .all<FieldRow>();
  return [...BUILT_IN_FIELDS, ...results.map((r) => ({ ...r, builtIn: false }))];
}

export async function createField(db: D1Database, workspaceId: string, body: CreateFieldBody, now: string): Promise<Field> {
  const key = body.key ?? fieldKeyFromLabel(body.label);
  if (BUILT_IN_FIELDS.some((f) => f.key === key)) {
    throw new DomainError('conflict', `"${key}" is a built-in field; choose another name`, { key });
  }
  const inserted = await db
    .prepare(
      `INSERT INTO fields (workspace_id, key, label, type, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, key) DO NOTHING`,
    )
    .bind(workspaceId, key, body.label, body.type, now)
    .run();
  if (inserted.meta.changes === 0) throw new DomainError('conflict', `a field with key "${key}" already exists`, { key });
  return { key, label: body.label, type: body.type, builtIn: false };
}
