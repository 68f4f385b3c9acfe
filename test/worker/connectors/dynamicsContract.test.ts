import { env } from 'cloudflare:test';
import { inject } from 'vitest';
import { requestAsAdmin } from '../support/api.ts';
import { openDynamicsConnector } from '../../../worker/connectors/dynamics/index.ts';
import { fakeDataverse } from '../../servers/dynamics/fakeControls.ts';
import { connectorContract } from './connectorContract.ts';

// A small page size makes the contract's dataset span several pages (Dataverse honours odata.maxpagesize).
const PAGE_SIZE = 40;

connectorContract('DynamicsConnector', async (leads) => {
  const fakeUrl = inject('dynamicsUrl');
  const tenant = crypto.randomUUID();
  const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl };
  await fakeDataverse(fakeUrl, tenant).control({
    seedContacts: leads.map((l) => ({ firstname: l.firstName, lastname: l.lastName, emailaddress1: l.email })),
  });
  const res = await requestAsAdmin(
    '/api/connections/dynamics/app',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ environmentUrl: fakeUrl, tenant }) },
    testEnv,
  );
  const { id } = (await res.json()) as { id: string };
  const opened = await openDynamicsConnector(testEnv, 'default', id, { pageSize: PAGE_SIZE });
  if (!opened) throw new Error('the Dynamics connection was not stored');
  return {
    connector: opened.connector,
    leadObject: 'contact',
    fields: { id: 'contactid', firstName: 'firstname', lastName: 'lastname', email: 'emailaddress1' },
    pageSize: PAGE_SIZE,
  };
});
