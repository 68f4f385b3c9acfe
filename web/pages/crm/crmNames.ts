import type { CrmConnection, CrmKind } from '../../../shared/schema/crm.ts';

export const CRM_NAMES: Record<CrmKind, string> = { salesforce: 'Salesforce', dynamics: 'Dynamics 365' };

export const crmName = (kind: CrmKind): string => CRM_NAMES[kind];

/** How a connection is named in lists and buttons: the org when the CRM told us, else its address. */
export function connectionLabel(connection: Pick<CrmConnection, 'kind' | 'orgName' | 'instanceUrl'>): string {
  return `${crmName(connection.kind)} · ${connection.orgName ?? hostOf(connection.instanceUrl)}`;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
