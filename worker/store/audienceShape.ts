import type { AudienceShape } from '../imports/alignPlan.ts';

type ShapeRow = { identifier_field: string | null; sensitive_fields: string | null; sealing_due: number; privacy_mode: number };

/** What an audience fixed with its first import (null before it), and whether plain values are still to be sealed. */
export async function readAudienceShape(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
): Promise<{ shape: AudienceShape | null; sealingDue: boolean; privacyMode: boolean } | null> {
  const row = await db
    .prepare('SELECT identifier_field, sensitive_fields, sealing_due, privacy_mode FROM audiences WHERE workspace_id = ? AND id = ?')
    .bind(workspaceId, audienceId)
    .first<ShapeRow>();
  if (!row) return null;
  const shape = row.identifier_field === null ? null : { identifierField: row.identifier_field, sensitiveFields: JSON.parse(row.sensitive_fields ?? '[]') as string[] };
  return { shape, sealingDue: row.sealing_due === 1, privacyMode: row.privacy_mode === 1 };
}

export function writeAudienceShapeStatement(
  db: D1Database,
  workspaceId: string,
  audienceId: string,
  shape: AudienceShape,
  sealingDue: boolean,
): D1PreparedStatement {
  return db
    .prepare('UPDATE audiences SET identifier_field = ?, sensitive_fields = ?, sealing_due = ? WHERE workspace_id = ? AND id = ?')
    .bind(shape.identifierField, JSON.stringify(shape.sensitiveFields), sealingDue ? 1 : 0, workspaceId, audienceId);
}
