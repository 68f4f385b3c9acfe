import { describe, expect, it } from 'vitest';
import { connectionLabel, connectionLabels } from './crmNames.ts';

const connection = (id: string, orgName: string | null, userName: string | null, kind: 'salesforce' | 'dynamics' = 'dynamics') => ({
  id,
  kind,
  orgName,
  userName,
  instanceUrl: 'https://contoso.crm4.dynamics.com/',
});

describe('connection labels', () => {
  it('name the CRM and the org, or its host when the org is unknown', () => {
    expect(connectionLabel(connection('a', 'Contoso', null))).toBe('Dynamics 365 · Contoso');
    expect(connectionLabel(connection('a', null, null, 'salesforce'))).toBe('Salesforce · contoso.crm4.dynamics.com');
  });

  it('add who signs in only where two connections would read the same', () => {
    const labels = connectionLabels([connection('a', 'Contoso', 'Nancy'), connection('b', 'Contoso', 'App'), connection('c', 'Fabrikam', 'Nancy')]);
    expect([...labels.values()]).toEqual(['Dynamics 365 · Contoso · Nancy', 'Dynamics 365 · Contoso · App', 'Dynamics 365 · Fabrikam']);
  });
});
