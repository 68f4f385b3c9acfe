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
 * A new sign-in for a connection the CRM stopped accepting, through the Worker's one reconnect route: it picks the
 * sign-in the connection was made with (the org's own login host for Salesforce, the same environment for
 * Dynamics 365) and checks the same account comes back. An app-registration connection is re-validated at once,
 * without any interactive sign-in: the browser then lands where a sign-in would have brought it back.
 */
export async function reconnect(connection: Pick<CrmConnection, 'id' | 'kind'>): Promise<void> {
  const answer = await connectionsApi.reconnect(connection.id);
  if ('authorizeUrl' in answer) {
    rememberConnecting(connection.kind === 'salesforce' ? 'Salesforce' : 'Dynamics 365');
    window.location.assign(answer.authorizeUrl);
    return;
  }
  window.location.assign(`/connections?connected=${encodeURIComponent(answer.connection.id)}`);
}
