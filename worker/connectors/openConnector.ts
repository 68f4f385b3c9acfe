import type { CrmConnection } from '../../shared/schema/crm.ts';
import { CrmError, CrmNotConfiguredError, type Connector, type CrmWriter } from './connector.ts';
import { providerOf } from './registry.ts';
import { DomainError } from '../domainError.ts';
import { CrmConnections, disabledReason, toPublic } from './store/crmConnections.ts';
import { tokenCipher } from './tokenCipher.ts';

export type OpenedConnector = { connector: Connector; connection: CrmConnection };

/**
 * The connector of a connection of this workspace (null when there is none by that id), whatever its CRM: routes
 * and imports never branch on it. A disabled connection, or one that needs a new login, is refused before any CRM call.
 */
export async function openConnector(env: Env, workspaceId: string, connectionId: string): Promise<OpenedConnector | null> {
  const opened = await openStored(env, workspaceId, connectionId);
  return opened && { connector: opened.provider.connector(opened.settings, opened.connection, opened.store), connection: toPublic(opened.connection) };
}

export type OpenedWriter = { writer: CrmWriter; connection: CrmConnection };

/** The writing side of a connection of this workspace (null when there is none by that id), on the same terms. */
export async function openWriter(env: Env, workspaceId: string, connectionId: string): Promise<OpenedWriter | null> {
  const opened = await openStored(env, workspaceId, connectionId);
  return opened && { writer: opened.provider.writer(opened.settings, opened.connection, opened.store), connection: toPublic(opened.connection) };
}

async function openStored(env: Env, workspaceId: string, connectionId: string) {
  const store = new CrmConnections(env.DB, workspaceId, tokenCipher(env));
  const connection = await store.get(connectionId);
  if (!connection) return null;
  const provider = providerOf(connection.kind);
  if (!provider) return null;
  if (connection.disabledAt) throw new DomainError('conflict', (await disabledReason(env.DB, workspaceId, connectionId)) ?? 'This integration is disabled.', { connectionId, disabled: true });
  const settings = provider.settings(env);
  if (settings === null) throw new CrmNotConfiguredError(provider.name, provider.requiredSettings);
  if (connection.status === 'needs_reauth') {
    throw new CrmError('crm_auth_failed', 'This connection needs a new login: reconnect it to continue.', null, null, 401);
  }
  return { provider, settings, connection, store };
}
