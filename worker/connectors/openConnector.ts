import type { CrmConnection, CrmKind } from '../../shared/schema/crm.ts';
import { CrmError, type Connector } from './connector.ts';
import { openDynamicsConnector, toCrmConnection, type DynamicsBindings } from './dynamics/index.ts';
import { salesforceConnectorFor, salesforceSettings, type SalesforceBindings } from './salesforce/index.ts';
import { CrmConnections } from './store/crmConnections.ts';

export type OpenedConnector = { connector: Connector; connection: CrmConnection };

type Opener = (env: SalesforceBindings & DynamicsBindings, workspaceId: string, connectionId: string) => Promise<OpenedConnector | null>;

/** The one place that knows which connector reads which kind of connection; routes and imports never branch on it. */
const OPENERS: Record<CrmKind, Opener> = {
  salesforce: async (env, workspaceId, connectionId) => {
    const settings = salesforceSettings(env);
    const store = new CrmConnections(env.DB, workspaceId, settings.tokenCipher);
    const connection = await store.get(connectionId);
    return connection ? { connector: salesforceConnectorFor(connection, store, settings), connection } : null;
  },
  dynamics: async (env, workspaceId, connectionId) => {
    const opened = await openDynamicsConnector(env, workspaceId, connectionId);
    return opened ? { connector: opened.connector, connection: toCrmConnection(opened.connection) } : null;
  },
};

/**
 * The connector of a connection of this workspace (null when there is none by that id). A connection that needs a
 * new login is refused before any CRM call.
 */
export async function openConnector(env: SalesforceBindings & DynamicsBindings, workspaceId: string, connectionId: string): Promise<OpenedConnector | null> {
  const row = await env.DB.prepare('SELECT kind FROM crm_connections WHERE workspace_id = ? AND id = ?').bind(workspaceId, connectionId).first<{ kind: CrmKind }>();
  if (!row) return null;
  const opened = await OPENERS[row.kind](env, workspaceId, connectionId);
  if (opened?.connection.status === 'needs_reauth') {
    throw new CrmError('crm_auth_failed', 'This connection needs a new login: reconnect it to continue.', null, null, 401);
  }
  return opened;
}
