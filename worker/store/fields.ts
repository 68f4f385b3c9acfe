import { BUILT_IN_FIELDS, fieldKeyFromLabel } from '../../shared/fields/builtInFields.ts';
import { type CreateFieldBody, type Field, FieldType } from '../../shared/schema/fields.ts';
import { DomainError } from '../domainError.ts';
import { parseStored } from './storedJson.ts';

type FieldRow = { key: string; label: string; type: string };

/** Built-in fields first, then the workspace's custom fields in creation order. */
export async function listFields(db: D1Database, workspaceId: string): Promise<Field[]> {
  const { results } = await db
    .prepare('SELECT key, label, type FROM fields WHERE workspace_id = ? ORDER BY created_at, key')
    .bind(workspaceId)
    .all<FieldRow>();
  // A field's type decides how its values are validated and hashed: read back, not assumed.
  return [...BUILT_IN_FIELDS, ...results.map((r) => ({ ...r, type: parseStored(FieldType, r.type, `fields.type of ${r.key}`), builtIn: false }))];
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
