import type { AesGcm } from '../../crypto/aesGcm.ts';
import { CrmError } from '../connector.ts';
import { PullMetadata } from '../pullMetadata.ts';
import { tokenCipher } from '../tokenCipher.ts';
import type { DataverseApiOptions } from './dataverseApi.ts';
import { dataverseApiFor, getDynamicsConnection, type DynamicsConnectionRow } from './dynamicsConnections.ts';
import { DynamicsConnector, type DynamicsConnectorOptions, type DynamicsTable } from './dynamicsConnector.ts';
import type { IdentityConfig } from './microsoftIdentity.ts';

export { DynamicsConnector } from './dynamicsConnector.ts';
export { toCrmConnection, type DynamicsConnectionRow } from './dynamicsConnections.ts';

/** Worker bindings the Dynamics connector reads; the client id/secret and token key are secrets. */
export type DynamicsBindings = {
  DB: D1Database;
  TOKEN_ENCRYPTION_KEY?: string;
  DYNAMICS_CLIENT_ID?: string;
  DYNAMICS_CLIENT_SECRET?: string;
  /** Microsoft identity platform base, e.g. https://login.microsoftonline.com (login.microsoftonline.us for GCC High). */
  DYNAMICS_AUTHORITY_URL?: string;
  /** Comma-separated extra environment origins this deployment trusts (on-premises IFD), beyond *.dynamics.com & co. */
  DYNAMICS_ALLOWED_ORIGINS?: string;
};

export type DynamicsSettings = { identity: IdentityConfig; tokenCipher: AesGcm; allowedOrigins: string[] };

const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

export function dynamicsSettings(env: DynamicsBindings): DynamicsSettings {
  if (!env.DYNAMICS_CLIENT_ID || !env.DYNAMICS_CLIENT_SECRET) {
    throw new CrmError('crm_error', 'Dynamics 365 is not set up on this server (DYNAMICS_CLIENT_ID / DYNAMICS_CLIENT_SECRET)', null, null, 500);
  }
  return {
    identity: { authorityUrl: env.DYNAMICS_AUTHORITY_URL || DEFAULT_AUTHORITY, clientId: env.DYNAMICS_CLIENT_ID, clientSecret: env.DYNAMICS_CLIENT_SECRET },
    tokenCipher: tokenCipher(env),
    allowedOrigins: (env.DYNAMICS_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  };
}

// A pull pages through 5,000 records a request; ten minutes covers the gaps of a paused or retried one.
const tables = new PullMetadata<DynamicsTable>({ ttlMs: 10 * 60_000, maxEntries: 200 });

/** The connector for a stored Dynamics connection of this workspace, or null when there is none by that id. */
export async function openDynamicsConnector(
  env: DynamicsBindings,
  workspaceId: string,
  connectionId: string,
  options: DynamicsConnectorOptions & Pick<DataverseApiOptions, 'retry' | 'sleep' | 'random'> = {},
): Promise<{ connector: DynamicsConnector; connection: DynamicsConnectionRow } | null> {
  const connection = await getDynamicsConnection(env.DB, workspaceId, connectionId);
  if (!connection) return null;
  const settings = dynamicsSettings(env);
  const api = dataverseApiFor(connection, env.DB, settings.tokenCipher, settings.identity, { retry: options.retry, sleep: options.sleep, random: options.random });
  return { connector: new DynamicsConnector(api, { pageSize: options.pageSize, tableCache: tables.forConnection(workspaceId, connectionId) }), connection };
}
