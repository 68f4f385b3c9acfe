import { salesforceLoginOrigin } from '../../../shared/crm/salesforceLoginHost.ts';
import type { SalesforceLoginHost } from '../../../shared/schema/connections.ts';
import type { CrmConnection } from '../../../shared/schema/crm.ts';
import { connectionsApi } from '../../api/connections.ts';
import { rememberConnecting } from './callbackMessage.ts';

// Each of these sends the browser away to the CRM's own login; it comes back to /connections?connected=… or ?error=….

export async function startSalesforceLogin(loginHost: SalesforceLoginHost, connectionId?: string): Promise<void> {
  const { authorizeUrl } = await connectionsApi.authorizeSalesforce(connectionId ? { loginHost, connectionId } : { loginHost });
  rememberConnecting('Salesforce');
  window.location.assign(authorizeUrl);
}

export async function startDynamicsSignIn(environmentUrl: string, tenant?: string): Promise<void> {
  const { authorizeUrl } = await connectionsApi.authorizeDynamics({ environmentUrl, tenant: tenant || 'organizations' });
  rememberConnecting('Dynamics 365');
  window.location.assign(authorizeUrl);
}

/**
 * A new sign-in for a connection the CRM stopped accepting. Salesforce logs in at the org's own address when it
 * is a login host (My Domain), else at production; Dynamics 365 signs the administrator in to the same
 * environment again.
 */
export function reconnect(connection: Pick<CrmConnection, 'id' | 'kind' | 'instanceUrl'>): Promise<void> {
  if (connection.kind === 'salesforce') return startSalesforceLogin(salesforceLoginOrigin(connection.instanceUrl) ?? 'production', connection.id);
  return startDynamicsSignIn(connection.instanceUrl);
}
