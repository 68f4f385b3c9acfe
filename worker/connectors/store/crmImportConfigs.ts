import { z } from 'zod';
import { CrmFilter, CrmImportConfig } from '../../../shared/schema/crm.ts';

/** Saved CRM import configs (crm_import_configs), one per connection and object, scoped by workspace. */

/** The JSON columns as stored: parsed with the schema the API validated them with, never cast. */
const StoredAttributes = CrmImportConfig.shape.attributes;
const StoredFilters = z.array(CrmFilter);

type Row = { id: string; connection_id: string; object: string; attributes: string; filters: string; template_id: string | null; updated_at: string };

function toConfig(r: Row): CrmImportConfig {
  return {
    id: r.id,
    connectionId: r.connection_id,
    object: r.object,
    attributes: StoredAttributes.parse(JSON.parse(r.attributes)),
    filters: StoredFilters.parse(JSON.parse(r.filters)),
    templateId: r.template_id,
    updatedAt: r.updated_at,
  };
}

const COLUMNS = 'id, connection_id, object, attributes, filters, template_id, updated_at';

export class CrmImportConfigs {
  constructor(
    private readonly db: D1Database,
    private readonly workspaceId: string,
  ) {}

  async list(connectionId: string): Promise<CrmImportConfig[]> {
    const { results } = await this.db
      .prepare(`SELECT ${COLUMNS} FROM crm_import_configs WHERE workspace_id = ? AND connection_id = ? ORDER BY object`)
      .bind(this.workspaceId, connectionId)
      .all<Row>();
    return results.map(toConfig);
  }

  async get(connectionId: string, object: string): Promise<CrmImportConfig | null> {
    const r = await this.db
      .prepare(`SELECT ${COLUMNS} FROM crm_import_configs WHERE workspace_id = ? AND connection_id = ? AND object = ?`)
      .bind(this.workspaceId, connectionId, object)
      .first<Row>();
    return r ? toConfig(r) : null;
  }

  /** The upsert, for a batch with its history entry; read its answer with fromSaved. */
  putStatement(connectionId: string, object: string, c: { attributes: string[]; filters: CrmFilter[]; templateId: string | null }, at: string): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO crm_import_configs (id, workspace_id, connection_id, object, attributes, filters, template_id, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id, connection_id, object)
         DO UPDATE SET attributes = excluded.attributes, filters = excluded.filters, template_id = excluded.template_id, updated_at = excluded.updated_at
         RETURNING ${COLUMNS}`,
      )
      .bind(crypto.randomUUID(), this.workspaceId, connectionId, object, JSON.stringify(c.attributes), JSON.stringify(c.filters), c.templateId, at);
  }

  fromSaved(result: D1Result | undefined): CrmImportConfig {
    const r = result?.results[0] as Row | undefined;
    if (!r) throw new Error('saving the import config returned no row');
    return toConfig(r);
  }
}
