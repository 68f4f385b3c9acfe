import type { CrmConnection, CrmKind } from '../../../shared/schema/crm.ts';

export const CRM_NAMES: Record<CrmKind, string> = { salesforce: 'Salesforce', dynamics: 'Dynamics 365' };

export const crmName = (kind: CrmKind): string => CRM_NAMES[kind];

/** How a connection is named in lists and buttons: the org when the CRM told us, else its address. */
export function connectionLabel(connection: Pick<CrmConnection, 'kind' | 'orgName' | 'instanceUrl'>): string {
  return `${crmName(connection.kind)} · ${connection.orgName ?? hostOf(connection.instanceUrl)}`;
}

/**
 * Labels for a list of connections that tell each one apart: two connections to the same org (an admin's sign-in
 * and the app registration) are told apart by who signs in.
 */
export function connectionLabels(connections: readonly Pick<CrmConnection, 'id' | 'kind' | 'orgName' | 'instanceUrl' | 'userName'>[]): Map<string, string> {
  const base = connections.map((c) => connectionLabel(c));
  return new Map(
    connections.map((c, i) => {
      const label = base[i] as string;
      const shared = base.filter((b) => b === label).length > 1;
      return [c.id, shared && c.userName ? `${label} · ${c.userName}` : label];
    }),
  );
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
