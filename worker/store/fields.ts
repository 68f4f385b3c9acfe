import { BUILT_IN_FIELDS, fieldKeyFromLabel } from '../../shared/fields/builtInFields.ts';
import { type AllowedValue, type CreateFieldBody, type Field, FieldType } from '../../shared/schema/fields.ts';
import { DomainError } from '../domainError.ts';
import { parseStored } from './storedJson.ts';

type FieldRow = { key: string; label: string; type: string };

type AllowedRow = { field_key: string; code: string; label: string; multiple: number; retired: number };

/** Built-in fields first, then the workspace's custom fields in creation order; each with its allowed values, if any. */
export async function listFields(db: D1Database, workspaceId: string): Promise<Field[]> {
  const [custom, allowed] = await db.batch([
    db.prepare('SELECT key, label, type FROM fields WHERE workspace_id = ? ORDER BY created_at, key').bind(workspaceId),
    db
      .prepare(
        'SELECT field_key, code, label, multiple, retired_at IS NOT NULL AS retired FROM field_allowed_values WHERE workspace_id = ? ORDER BY field_key, sync_id, retired_at IS NOT NULL, position',
      )
      .bind(workspaceId),
  ]);
  const { values: allowedByKey, multiple } = allowedValuesByField((allowed?.results ?? []) as AllowedRow[]);
  const withAllowed = (f: Field): Field => {
    const values = allowedByKey.get(f.key);
    return values ? { ...f, allowedValues: values, ...(multiple.has(f.key) ? { multipleValues: true as const } : {}) } : f;
  };
  // A field's type decides how its values are validated and hashed: read back, not assumed.
  const customFields = ((custom?.results ?? []) as FieldRow[]).map((r) => ({ ...r, type: parseStored(FieldType, r.type, `fields.type of ${r.key}`), builtIn: false }));
  return [...BUILT_IN_FIELDS, ...customFields].map(withAllowed);
}

/**
 * The union of each field's pick lists (two syncs may map two CRM pick lists onto one field): one value per label,
 * case aside, in the order the sources list them (retired ones after a source's offered ones, whose positions the
 * CRM renumbered); the first source's code is the one kept for a shared label. A
 * value is retired only when every source retired it; a field takes several values a cell when any source does.
 */
function allowedValuesByField(rows: readonly AllowedRow[]): { values: Map<string, AllowedValue[]>; multiple: Set<string> } {
  const byKey = new Map<string, AllowedValue[]>();
  const seen = new Map<string, AllowedValue>();
  const multiple = new Set<string>();
  for (const r of rows) {
    if (r.multiple === 1) multiple.add(r.field_key);
    const seenKey = JSON.stringify([r.field_key, r.label.toLowerCase()]);
    const earlier = seen.get(seenKey);
    if (earlier) {
      if (r.retired !== 1) delete earlier.retired;
      continue;
    }
    const value: AllowedValue = r.retired === 1 ? { label: r.label, code: r.code, retired: true } : { label: r.label, code: r.code };
    seen.set(seenKey, value);
    const values = byKey.get(r.field_key) ?? [];
    values.push(value);
    byKey.set(r.field_key, values);
  }
  return { values: byKey, multiple };
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
