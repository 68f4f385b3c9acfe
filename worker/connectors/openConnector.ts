import type { CrmConnection } from '../../shared/schema/crm.ts';
import { CrmError, CrmNotConfiguredError, type Connector } from './connector.ts';
import { providerOf } from './registry.ts';
import { CrmConnections, toPublic } from './store/crmConnections.ts';
import { tokenCipher } from './tokenCipher.ts';

export type OpenedConnector = { connector: Connector; connection: CrmConnection };

/**
 * The connector of a connection of this workspace (null when there is none by that id), whatever its CRM: routes
 * and imports never branch on it. A connection that needs a new login is refused before any CRM call.
 */
export async function openConnector(env: Env, workspaceId: string, connectionId: string): Promise<OpenedConnector | null> {
  const store = new CrmConnections(env.DB, workspaceId, tokenCipher(env));
  const connection = await store.get(connectionId);
  if (!connection) return null;
  const provider = providerOf(connection.kind);
  if (!provider) return null;
  const settings = provider.settings(env);
  if (settings === null) throw new CrmNotConfiguredError(provider.name, provider.requiredSettings);
  if (connection.status === 'needs_reauth') {
    throw new CrmError('crm_auth_failed', 'This connection needs a new login: reconnect it to continue.', null, null, 401);
  }
  return { connector: provider.connector(settings, connection, store), connection: toPublic(connection) };
}
