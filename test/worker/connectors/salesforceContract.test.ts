import { connectorContract } from './connectorContract.ts';
import { connectorFor, createOrg } from './fakeSalesforce.ts';

// A small page size makes the contract's dataset span several pages without thousands of records.
const PAGE_SIZE = 40;

connectorContract('SalesforceConnector', async (leads) => {
  const org = await createOrg({
    pageSize: PAGE_SIZE,
    records: { Contact: leads.map((l) => ({ FirstName: l.firstName, LastName: l.lastName, Email: l.email })) },
  });
  return {
    connector: await connectorFor(org),
    leadObject: 'Contact',
    fields: { id: 'Id', firstName: 'FirstName', lastName: 'LastName', email: 'Email' },
    pageSize: PAGE_SIZE,
  };
});
