// The fake CRMs the browser tests' Worker talks to (test/servers): a Salesforce org and a Dataverse environment,
// started next to `wrangler dev` and handed to it as ordinary configuration (login hosts, authority, client app).
import { randomBytes } from 'node:crypto';
import type { CreateOrgResponse } from '../servers/salesforce/controlTypes.ts';
import { startFakeSalesforce } from '../servers/salesforce/server.ts';
import { FakeDataverse } from '../servers/dynamics/fakeDataverse.ts';

/** Records the fakes hold: more than two Salesforce pages (2,000) and more than one Dataverse page (5,000). */
export const FAKE_SIZES = { salesforceContacts: 6_000, salesforceLeads: 300, salesforceAccounts: 250, dynamicsContacts: 6_000 } as const;
export const FAKE_SALESFORCE_ORG_NAME = 'Acme Corporation';

export type CrmFakes = {
  salesforce: { url: string; org: CreateOrgResponse; control: string };
  dynamics: { url: string };
};

declare module 'vitest' {
  export interface ProvidedContext {
    crmFakes: CrmFakes;
  }
}

export async function startCrmFakes(): Promise<{ fakes: CrmFakes; vars: Record<string, string>; stop: () => Promise<void> }> {
  const salesforceApp = { clientId: `sf-${randomBytes(8).toString('hex')}`, clientSecret: randomBytes(16).toString('hex') };
  const dynamicsApp = { clientId: `d365-${randomBytes(8).toString('hex')}`, clientSecret: randomBytes(16).toString('hex') };

  const salesforce = await startFakeSalesforce();
  const dataverse = new FakeDataverse({ ...dynamicsApp, contacts: FAKE_SIZES.dynamicsContacts });
  const stop = async () => {
    await Promise.all([salesforce.close(), dataverse.stop()]);
  };
  try {
    const createOrg = async (body: Record<string, unknown>) => {
      const res = await fetch(`${salesforce.url}/__control/orgs`, { method: 'POST', body: JSON.stringify({ ...salesforceApp, ...body }) });
      if (res.status !== 201) throw new Error(`fake Salesforce refused the org: ${res.status} ${await res.text()}`);
      return (await res.json()) as CreateOrgResponse;
    };
    const org = await createOrg({
      orgName: FAKE_SALESFORCE_ORG_NAME,
      contacts: FAKE_SIZES.salesforceContacts,
      leads: FAKE_SIZES.salesforceLeads,
      accounts: FAKE_SIZES.salesforceAccounts,
    });
    const sandbox = await createOrg({ orgName: 'Acme Sandbox', contacts: 10 });
    const dynamicsUrl = await dataverse.start();
    const orgIndex = org.loginUrl.split('/orgs/')[1]?.split('/')[0] ?? '';
    return {
      fakes: { salesforce: { url: salesforce.url, org, control: `${salesforce.url}/__control/orgs/${orgIndex}` }, dynamics: { url: dynamicsUrl } },
      vars: {
        SALESFORCE_CLIENT_ID: salesforceApp.clientId,
        SALESFORCE_CLIENT_SECRET: salesforceApp.clientSecret,
        SALESFORCE_LOGIN_URL: org.loginUrl,
        SALESFORCE_SANDBOX_LOGIN_URL: sandbox.loginUrl,
        DYNAMICS_CLIENT_ID: dynamicsApp.clientId,
        DYNAMICS_CLIENT_SECRET: dynamicsApp.clientSecret,
        // The fake answers as both the Microsoft identity platform and the environment.
        DYNAMICS_AUTHORITY_URL: dynamicsUrl,
        DYNAMICS_ALLOWED_ORIGINS: dynamicsUrl,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
