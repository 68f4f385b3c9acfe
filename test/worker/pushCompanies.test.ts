import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { openWriter } from '../../worker/connectors/openConnector.ts';
import { fakeDataverse } from '../servers/dynamics/fakeControls.ts';
import type { WriteStats } from '../servers/salesforce/writeTypes.ts';
import { connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { requestAsAdmin } from './support/api.ts';
import { importAudience, preview, pushAndWait, saveExportSettings } from './push/pushHelpers.ts';

// Companies upserted as Accounts by the company identifier and linked to their people, against the fake Salesforce.

const COLUMNS = [
  { column: 'Email', target: 'email' },
  { column: 'Last name', target: 'last_name' },
  { column: 'Company', target: 'company' },
];

async function writesOf(org: FakeOrgHandle): Promise<WriteStats> {
  const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
  return (await (await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/writes`)).json()) as WriteStats;
}

describe('Sync to CRM: companies as Accounts', () => {
  it('two members of one company make one Account, both contacts linked to it; a re-run creates no second Account', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [
      ['ann@acme.example', 'Lee', 'Acme Rockets'],
      ['ben@acme.example', 'Ray', 'ACME ROCKETS'],
      ['cat@globex.example', 'Fox', 'Globex'],
      ['dan@nowhere.example', 'Kim', ''],
    ]);
    // Globex is in the CRM already; Acme Rockets is not.
    const org = await createOrg({ records: { Account: [{ Name: 'Globex', Type: 'Customer - Direct' }] } });
    const connectionId = await connect(org);
    await saveExportSettings(connectionId, {
      people: {
        target: 'contact',
        identifiers: [{ platformField: 'email', crmProperty: 'Email' }],
        fields: [{ platformField: 'last_name', crmProperty: 'LastName' }],
      },
      companies: { identifier: { platformField: 'company', crmProperty: 'Name' }, fixed: [{ crmProperty: 'Type', value: 'Prospect' }] },
    });
    const opened = await openWriter(env, 'default', connectionId);
    if (!opened) throw new Error('no writer');
    const accounts = () => opened.writer.findBy('Account', 'Name', ['Acme Rockets', 'Globex'], ['Name', 'Type']);
    const people = () => opened.writer.findBy('Contact', 'Email', ['ann@acme.example', 'ben@acme.example', 'cat@globex.example', 'dan@nowhere.example'], ['Email', 'AccountId']);
    const globexId = (await accounts())[0]?.id;

    const request = { connectionId, audienceId, scope: { kind: 'audience' as const }, exportTimeValues: {} };
    // The preview writes nothing: no Account yet, and the member of the known company shows its link.
    const seen = await preview(request);
    expect(seen.counts).toMatchObject({ create: 4 });
    expect(seen.sample.find((s) => s.member === 'cat@globex.example')?.changes).toContainEqual({ crmProperty: 'AccountId', crmValue: null, newValue: globexId });
    expect(await accounts()).toHaveLength(1);

    const { push } = await pushAndWait(request);
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: 4, failed: 0 } });
    const after = await accounts();
    expect(after).toHaveLength(2);
    const acme = after.find((a) => a.values.Name === 'Acme Rockets');
    // Created with the first member's spelling; a fixed value is written to found Accounts too, as for people.
    expect(acme?.values.Type).toBe('Prospect');
    expect(after.find((a) => a.id === globexId)?.values.Type).toBe('Prospect');
    const accountOf = new Map((await people()).map((p) => [p.values.Email, p.values.AccountId]));
    expect(Object.fromEntries(accountOf)).toEqual({
      'ann@acme.example': acme?.id,
      'ben@acme.example': acme?.id,
      'cat@globex.example': globexId,
      'dan@nowhere.example': null,
    });

    const callsBefore = (await writesOf(org)).collectionCalls;
    const again = await pushAndWait(request);
    expect(again.push.counts).toMatchObject({ created: 0, updated: 0, skipped: 4, failed: 0 });
    expect(await accounts()).toHaveLength(2);
    expect((await writesOf(org)).collectionCalls).toBe(callsBefore);
  });
});

describe('Sync to CRM: companies as Dynamics 365 accounts', () => {
  it('one account for two contacts of a company, bound as parentcustomerid; a re-run creates no second account', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [
      ['ann@initech.example', 'Lee', 'Initech Pushmore'],
      ['ben@initech.example', 'Ray', 'initech pushmore'],
    ]);
    const dynamicsUrl = inject('dynamicsUrl');
    const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: dynamicsUrl, DYNAMICS_ALLOWED_ORIGINS: dynamicsUrl };
    const tenant = crypto.randomUUID();
    await fakeDataverse(dynamicsUrl, tenant).control({ seedContacts: [] });
    const res = await requestAsAdmin(
      '/api/connections/dynamics/app',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ environmentUrl: dynamicsUrl, tenant }) },
      testEnv,
    );
    expect(res.status).toBe(201);
    const connectionId = ((await res.json()) as { id: string }).id;
    await saveExportSettings(connectionId, {
      people: { target: 'contact', identifiers: [{ platformField: 'email', crmProperty: 'emailaddress1' }], fields: [{ platformField: 'last_name', crmProperty: 'lastname' }] },
      companies: { identifier: { platformField: 'company', crmProperty: 'name' } },
    });
    const opened = await openWriter(testEnv, 'default', connectionId);
    if (!opened) throw new Error('no writer');
    const accounts = () => opened.writer.findBy('account', 'name', ['Initech Pushmore'], ['name']);
    const request = { connectionId, audienceId, scope: { kind: 'audience' as const }, exportTimeValues: {} };

    const { push } = await pushAndWait(request);
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: 2, failed: 0 } });
    const [account, ...more] = await accounts();
    expect(more).toHaveLength(0);
    const contacts = await opened.writer.findBy('contact', 'emailaddress1', ['ann@initech.example', 'ben@initech.example'], ['emailaddress1', 'parentcustomerid']);
    expect(account?.values.name).toBe('Initech Pushmore');
    // Both bound (a lookup is read back by its record's name; the fake names only the accounts it started with, so an
    // account created since reads back as '' — set, not null).
    expect(contacts).toHaveLength(2);
    expect(contacts.map((c) => c.values.parentcustomerid)).toEqual(['', '']);

    const again = await pushAndWait(request);
    expect(again.push.counts).toMatchObject({ created: 0, failed: 0 });
    expect(await accounts()).toHaveLength(1);
  });
});
