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
    expect(seen.sample.find((s) => s.member === 'cat@globex.example')?.changes).toContainEqual({ crmProperty: 'AccountId', crmValue: null, newValue: globexId, newValueName: 'Globex' });
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

describe('Sync to CRM: Accounts remembered, and the ones the CRM refused in the report', () => {
  it('a re-push updates the Account an earlier push wrote, even renamed in the CRM beside a new namesake', async () => {
    const { audienceId } = await importAudience(COLUMNS, 'Email', [['eve@umbrella.example', 'Eve', 'Umbrella Labs']]);
    const org = await createOrg();
    const connectionId = await connect(org);
    const companies = { identifier: { platformField: 'company', crmProperty: 'Name' }, fixed: [{ crmProperty: 'Type', value: 'Prospect' }] };
    await saveExportSettings(connectionId, {
      people: { target: 'contact', identifiers: [{ platformField: 'email', crmProperty: 'Email' }], fields: [{ platformField: 'last_name', crmProperty: 'LastName' }] },
      companies,
    });
    const opened = await openWriter(env, 'default', connectionId);
    if (!opened) throw new Error('no writer');
    const request = { connectionId, audienceId, scope: { kind: 'audience' as const }, exportTimeValues: {} };
    const first = await pushAndWait(request);
    expect(first.push.counts).toMatchObject({ created: 1, failed: 0 });
    expect(first.report.companies).toMatchObject([{ company: 'Umbrella Labs', action: 'created', memberCount: 1, members: ['eve@umbrella.example'] }]);
    const accountId = first.report.companies[0]?.recordId;
    expect(accountId).toBeTruthy();
    // Remembered per connection under a keyed hash of the name, never the name itself.
    const { results: links } = await env.DB.prepare('SELECT company_key, record_id, identifier_property FROM crm_company_links WHERE connection_id = ?')
      .bind(connectionId)
      .all<{ company_key: string; record_id: string; identifier_property: string }>();
    expect(links).toEqual([{ company_key: expect.stringMatching(/^[0-9a-f]{64}$/), record_id: accountId, identifier_property: 'Name' }]);

    // Someone renames the Account in the CRM and makes another one with the old name: the push stays with its own.
    const [renamed] = await opened.writer.write('Account', [{ kind: 'update', id: accountId ?? '', values: { Name: 'Umbrella Laboratories', Type: 'Customer - Direct' } }]);
    expect(renamed?.ok).toBe(true);
    const [namesake] = await opened.writer.write('Account', [{ kind: 'create', values: { Name: 'Umbrella Labs' } }]);
    expect(namesake?.ok).toBe(true);

    const seen = await preview(request);
    expect(seen.counts).toMatchObject({ skip: 1 });
    const again = await pushAndWait(request);
    expect(again.push.counts).toMatchObject({ created: 0, updated: 0, skipped: 1, failed: 0 });
    expect(again.report.companies).toMatchObject([{ company: 'Umbrella Labs', action: 'updated', recordId: accountId }]);
    const [account] = await opened.writer.getByIds('Account', [accountId ?? ''], ['Name', 'Type']);
    // The fixed value is put back; the name it was renamed to stays (an update never rewrites the identifier).
    expect(account?.values).toEqual({ Name: 'Umbrella Laboratories', Type: 'Prospect' });
    const [contact] = await opened.writer.findBy('Contact', 'Email', ['eve@umbrella.example'], ['AccountId']);
    expect(contact?.values.AccountId).toBe(accountId);
    expect(await opened.writer.findBy('Account', 'Name', ['Umbrella Labs'], ['Name'])).toHaveLength(1);
  });

  it('lists the Accounts in conflict or refused, with their members and the CRM’s words; their people go without a link', async () => {
    const columns = [...COLUMNS, { column: 'Domain', target: 'domain' }, { column: 'Founded', target: 'year_founded' }];
    const { audienceId } = await importAudience(columns, 'Email', [
      ['ann@twin.example', 'Lee', 'Twin Corp', '', ''],
      ['abe@twin.example', 'Lo', 'Twin Corp', '', ''],
      ['bob@dup.example', 'Ray', 'Dup Co', 'dup.example', ''],
      ['cy@old.example', 'Fox', 'Old Inc', '', '19999'],
      ['dee@fine.example', 'Kim', 'Fine Ltd', 'fine.example', '1990'],
    ]);
    const org = await createOrg({
      records: { Account: [{ Name: 'Twin Corp' }, { Name: 'TWIN CORP' }, { Name: 'Dup Holdings', Website: 'dup.example' }] },
    });
    const connectionId = await connect(org);
    const n = org.loginUrl.split('/orgs/')[1]?.split('/')[0];
    await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${n}/writes`, { method: 'POST', body: JSON.stringify({ duplicateRule: { object: 'Account', field: 'Website' } }) });
    await saveExportSettings(connectionId, {
      people: { target: 'contact', identifiers: [{ platformField: 'email', crmProperty: 'Email' }], fields: [{ platformField: 'last_name', crmProperty: 'LastName' }] },
      companies: {
        identifier: { platformField: 'company', crmProperty: 'Name' },
        fields: [
          { platformField: 'domain', crmProperty: 'Website' },
          { platformField: 'year_founded', crmProperty: 'YearStarted' },
        ],
      },
    });
    const { push, report } = await pushAndWait({ connectionId, audienceId, scope: { kind: 'audience' }, exportTimeValues: {} });
    // The people are written all the same.
    expect(push).toMatchObject({ status: 'succeeded', counts: { created: 5, failed: 0 } });
    expect(report.totalCompanies).toBe(4);
    const [dup, old, twin, fine] = report.companies;
    expect(dup).toMatchObject({ company: 'Dup Co', action: 'failed', recordId: null, vendorCode: 'DUPLICATES_DETECTED', memberCount: 1, members: ['bob@dup.example'] });
    expect(dup?.message).toMatch(/duplicate rule refused the Account: it matches an Account already there/);
    expect(old).toMatchObject({ company: 'Old Inc', action: 'failed', vendorCode: 'STRING_TOO_LONG', members: ['cy@old.example'] });
    expect(old?.message).toMatch(/^The CRM refused the Account \(YearStarted\): Year Started: data value too large: 19999/);
    expect(twin).toMatchObject({ company: 'Twin Corp', action: 'conflict', recordId: null, memberCount: 2, members: ['ann@twin.example', 'abe@twin.example'] });
    expect(twin?.message).toMatch(/^Several CRM records match \(2 with the same Name\)/);
    expect(fine).toMatchObject({ company: 'Fine Ltd', action: 'created', message: null });

    const opened = await openWriter(env, 'default', connectionId);
    if (!opened) throw new Error('no writer');
    const contacts = await opened.writer.findBy('Contact', 'Email', ['ann@twin.example', 'bob@dup.example', 'cy@old.example', 'dee@fine.example'], ['Email', 'AccountId']);
    expect(Object.fromEntries(contacts.map((c) => [c.values.Email, c.values.AccountId]))).toEqual({
      'ann@twin.example': null,
      'bob@dup.example': null,
      'cy@old.example': null,
      'dee@fine.example': fine?.recordId,
    });
    // Each person's line says which company it was not linked to and why; a linked one says nothing.
    const lineOf = (member: string) => report.lines.find((l) => l.member === member);
    expect(lineOf('ann@twin.example')).toMatchObject({ action: 'created', message: expect.stringMatching(/^Not linked to the company “Twin Corp”: Several CRM records match/) });
    expect(lineOf('bob@dup.example')?.message).toMatch(/^Not linked to the company “Dup Co”: The CRM’s duplicate rule refused/);
    expect(lineOf('dee@fine.example')?.message).toBeNull();
    // Only the Account written is remembered.
    const { results } = await env.DB.prepare('SELECT record_id FROM crm_company_links WHERE connection_id = ?').bind(connectionId).all<{ record_id: string }>();
    expect(results.map((r) => r.record_id)).toEqual([fine?.recordId]);
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
    // Both bound: a lookup reads back as the id of the record it points to (`_parentcustomerid_value`).
    expect(contacts).toHaveLength(2);
    expect(contacts.map((c) => c.values.parentcustomerid)).toEqual([account?.id, account?.id]);

    // Compared by id, a linked contact with nothing new is unchanged: skipped, not updated.
    const again = await pushAndWait(request);
    expect(again.push.counts).toEqual({ created: 0, updated: 0, skipped: 2, conflicts: 0, failed: 0 });
    expect(again.report.companies).toMatchObject([{ company: 'Initech Pushmore', action: 'skipped', recordId: account?.id, memberCount: 2 }]);
    expect(await accounts()).toHaveLength(1);

    // The preview shows lookups by name, as people know them, beside the ids it writes: Ann moves to another company
    // the CRM has (its name now and after), Cy is new and gets the default owner (the user's name).
    const [globex] = await opened.writer.write('account', [{ kind: 'create', values: { name: 'Globex Dynamics' } }]);
    const owner = (await opened.writer.listUsers()).find((u) => u.active);
    if (!globex?.ok || !owner) throw new Error('the fake has no account or user');
    await saveExportSettings(connectionId, {
      people: { target: 'contact', identifiers: [{ platformField: 'email', crmProperty: 'emailaddress1' }], fields: [{ platformField: 'last_name', crmProperty: 'lastname' }] },
      companies: { identifier: { platformField: 'company', crmProperty: 'name' } },
      owners: { ownerField: null, users: [], defaultOwnerId: owner.id },
    });
    const moved = await importAudience(COLUMNS, 'Email', [
      ['ann@initech.example', 'Lee', 'Globex Dynamics'],
      ['cy@initech.example', 'Cy', 'Initech Pushmore'],
    ]);
    const seen = await preview({ ...request, audienceId: moved.audienceId });
    const changesOf = (member: string) => seen.sample.find((s) => s.member === member)?.changes ?? [];
    expect(changesOf('ann@initech.example')).toContainEqual({
      crmProperty: 'parentcustomerid',
      crmValue: account?.id,
      crmValueName: 'Initech Pushmore',
      newValue: globex.id,
      newValueName: 'Globex Dynamics',
    });
    expect(changesOf('cy@initech.example')).toEqual(
      expect.arrayContaining([
        { crmProperty: 'parentcustomerid', crmValue: null, newValue: account?.id, newValueName: 'Initech Pushmore' },
        { crmProperty: 'ownerid', crmValue: null, newValue: owner.id, newValueName: owner.name },
      ]),
    );
  });
});
