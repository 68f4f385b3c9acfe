import type { CrmConnection, CrmKind } from '../../../shared/schema/crm.ts';
import type { AesGcm } from '../../crypto/aesGcm.ts';

/** D1 access to crm_connections. Every statement is scoped by workspace_id; tokens go in and out sealed only. */

/** A crm_connections row as the columns common to every CRM read it; a CRM may read more (see dynamicsConnections). */
export type CrmConnectionRow = {
  id: string;
  kind: CrmKind;
  login_url: string;
  instance_url: string;
  org_id: string;
  org_name: string | null;
  user_id: string;
  user_name: string | null;
  status: 'connected' | 'needs_reauth';
  access_token_sealed: string;
  refresh_token_sealed: string | null;
  last_import_at: string | null;
  created_at: string;
};

/** A connection with its tokens opened: Worker-internal, never serialized to a response. */
export type StoredConnection = CrmConnection & {
  loginUrl: string;
  orgId: string;
  userId: string;
  accessToken: string;
  refreshToken: string | null;
};

export type ConnectionIdentity = {
  kind: CrmKind;
  loginUrl: string;
  instanceUrl: string;
  orgId: string;
  orgName: string | null;
  userId: string;
  userName: string | null;
  accessToken: string;
  refreshToken: string | null;
};

const COLUMNS =
  'id, kind, login_url, instance_url, org_id, org_name, user_id, user_name, status, access_token_sealed, refresh_token_sealed, last_import_at, created_at';

function toPublic(r: CrmConnectionRow): CrmConnection {
  return {
    id: r.id,
    kind: r.kind,
    orgName: r.org_name,
    instanceUrl: r.instance_url,
    userName: r.user_name,
    status: r.status,
    lastImportAt: r.last_import_at,
    createdAt: r.created_at,
  };
}

export class CrmConnections {
  constructor(
    private readonly db: D1Database,
    readonly workspaceId: string,
    private readonly sealer: AesGcm,
  ) {}

  async list(): Promise<CrmConnection[]> {
    const { results } = await this.db
      .prepare(`SELECT ${COLUMNS} FROM crm_connections WHERE workspace_id = ? ORDER BY created_at, id`)
      .bind(this.workspaceId)
      .all<CrmConnectionRow>();
    return results.map(toPublic);
  }

  async get(id: string): Promise<StoredConnection | null> {
    const r = await this.db.prepare(`SELECT ${COLUMNS} FROM crm_connections WHERE workspace_id = ? AND id = ?`).bind(this.workspaceId, id).first<CrmConnectionRow>();
    if (!r) return null;
    return {
      ...toPublic(r),
      loginUrl: r.login_url,
      orgId: r.org_id,
      userId: r.user_id,
      accessToken: this.sealer.open(r.access_token_sealed),
      refreshToken: r.refresh_token_sealed === null ? null : this.sealer.open(r.refresh_token_sealed),
    };
  }

  async findByIdentity(kind: CrmKind, orgId: string, userId: string): Promise<string | null> {
    const r = await this.db
      .prepare('SELECT id FROM crm_connections WHERE workspace_id = ? AND kind = ? AND org_id = ? AND user_id = ?')
      .bind(this.workspaceId, kind, orgId, userId)
      .first<{ id: string }>();
    return r?.id ?? null;
  }

  /** Stores a fresh login: a new connection, or new tokens for the one this org and user already have. */
  async save(identity: ConnectionIdentity, existingId: string | null): Promise<string> {
    const now = new Date().toISOString();
    const access = this.sealer.seal(identity.accessToken);
    const refresh = identity.refreshToken === null ? null : this.sealer.seal(identity.refreshToken);
    if (existingId) {
      await this.db
        .prepare(
          `UPDATE crm_connections SET login_url = ?, instance_url = ?, org_name = ?, user_name = ?, status = 'connected',
             access_token_sealed = ?, refresh_token_sealed = COALESCE(?, refresh_token_sealed), updated_at = ?
           WHERE workspace_id = ? AND id = ?`,
        )
        .bind(identity.loginUrl, identity.instanceUrl, identity.orgName, identity.userName, access, refresh, now, this.workspaceId, existingId)
        .run();
      return existingId;
    }
    const id = crypto.randomUUID();
    await this.db
      .prepare(
        `INSERT INTO crm_connections (id, workspace_id, kind, login_url, instance_url, org_id, org_name, user_id, user_name, status,
           access_token_sealed, refresh_token_sealed, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'connected', ?, ?, ?, ?)`,
      )
      .bind(id, this.workspaceId, identity.kind, identity.loginUrl, identity.instanceUrl, identity.orgId, identity.orgName, identity.userId, identity.userName, access, refresh, now, now)
      .run();
    return id;
  }

  async updateSession(id: string, accessToken: string, instanceUrl: string): Promise<void> {
    await this.db
      .prepare('UPDATE crm_connections SET access_token_sealed = ?, instance_url = ?, updated_at = ? WHERE workspace_id = ? AND id = ?')
      .bind(this.sealer.seal(accessToken), instanceUrl, new Date().toISOString(), this.workspaceId, id)
      .run();
  }

  async markNeedsReauth(id: string): Promise<void> {
    await this.db
      .prepare("UPDATE crm_connections SET status = 'needs_reauth', updated_at = ? WHERE workspace_id = ? AND id = ?")
      .bind(new Date().toISOString(), this.workspaceId, id)
      .run();
  }

  async markImported(id: string): Promise<void> {
    const now = new Date().toISOString();
    await this.db.prepare('UPDATE crm_connections SET last_import_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?').bind(now, now, this.workspaceId, id).run();
  }

  /** Forgets the connection, its saved import configs and pending logins for it; true when it existed. */
  async delete(id: string): Promise<boolean> {
    const [, , removed] = await this.db.batch([
      this.db.prepare('DELETE FROM crm_import_configs WHERE workspace_id = ? AND connection_id = ?').bind(this.workspaceId, id),
      this.db.prepare('DELETE FROM crm_oauth_states WHERE workspace_id = ? AND connection_id = ?').bind(this.workspaceId, id),
      this.db.prepare('DELETE FROM crm_connections WHERE workspace_id = ? AND id = ?').bind(this.workspaceId, id),
    ]);
    return (removed?.meta.changes ?? 0) > 0;
  }
}
