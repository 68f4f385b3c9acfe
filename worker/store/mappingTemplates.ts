import { ImportMapping, type MappingTemplate, type SaveTemplateBody } from '../../shared/schema/mapping.ts';
import { DomainError } from '../domainError.ts';
import { parseStoredJson } from './storedJson.ts';

type TemplateRow = { id: string; name: string; signature: string; mapping: string; updated_at: string };

const COLUMNS = 'id, name, signature, mapping, updated_at';

function toTemplate(r: TemplateRow): MappingTemplate {
  return { id: r.id, name: r.name, signature: r.signature, mapping: parseStoredJson(ImportMapping, r.mapping, `mapping_templates.mapping of ${r.id}`), updatedAt: r.updated_at };
}

/** All templates, or the one saved for a header signature (an array either way: zero or one). */
export async function listTemplates(db: D1Database, workspaceId: string, signature?: string): Promise<MappingTemplate[]> {
  const stmt =
    signature === undefined
      ? db.prepare(`SELECT ${COLUMNS} FROM mapping_templates WHERE workspace_id = ? ORDER BY updated_at DESC`).bind(workspaceId)
      : db.prepare(`SELECT ${COLUMNS} FROM mapping_templates WHERE workspace_id = ? AND signature = ?`).bind(workspaceId, signature);
  const { results } = await stmt.all<TemplateRow>();
  return results.map(toTemplate);
}

export async function getTemplate(db: D1Database, workspaceId: string, id: string): Promise<MappingTemplate> {
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM mapping_templates WHERE workspace_id = ? AND id = ?`)
    .bind(workspaceId, id)
    .first<TemplateRow>();
  if (!row) throw new DomainError('not_found', 'mapping template not found', { templateId: id });
  return toTemplate(row);
}

/** One template per header signature: saving again for the same layout replaces it and keeps its id. */
export async function saveTemplate(db: D1Database, workspaceId: string, body: SaveTemplateBody, now: string): Promise<MappingTemplate> {
  const row = await db
    .prepare(
      `INSERT INTO mapping_templates (id, workspace_id, signature, name, mapping, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, signature) DO UPDATE SET name = excluded.name, mapping = excluded.mapping, updated_at = excluded.updated_at
       RETURNING ${COLUMNS}`,
    )
    .bind(crypto.randomUUID(), workspaceId, body.signature, body.name, JSON.stringify(body.mapping), now, now)
    .first<TemplateRow>();
  if (!row) throw new Error('template upsert returned no row');
  return toTemplate(row);
}
