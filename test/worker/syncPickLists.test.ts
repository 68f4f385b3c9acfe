import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { Field } from '../../shared/schema/fields.ts';
import type { SyncRunReport } from '../../shared/schema/syncs.ts';
import type { PicklistValueAdded } from '../servers/salesforce/controlTypes.ts';
import { connect, createOrg, type FakeOrgHandle } from './connectors/fakeSalesforce.ts';
import { ok, rows, sendBatch, startBody, startImport } from './support/api.ts';
import { dynamicsSync } from './sync/dynamicsSync.ts';
import { contacts, createSync, runNow, settings, settled } from './sync/syncHelpers.ts';

/** Adds a value to a pick list "in Salesforce Setup" (test/servers/salesforce control API). */
async function addPicklistValue(org: FakeOrgHandle, added: PicklistValueAdded): Promise<void> {
  const res = await fetch(`${inject('fakeSalesforceUrl')}/__control/orgs/${org.loginUrl.split('/orgs/')[1]?.split('/')[0]}/picklists`, {
    method: 'POST',
    body: JSON.stringify(added),
  });
  if (!res.ok) throw new Error(`pick list change refused: ${res.status}`);
}

async function leadSources(audienceId: string): Promise<Record<string, string | null>> {
  const { results } = await env.DB.prepare(
    "SELECT json_extract(attributes, '$.email') AS email, json_extract(attributes, ?) AS source FROM members WHERE audience_id = ? ORDER BY 1",
  )
    .bind(`$.${FIELD_KEY}`, audienceId)
    .all<{ email: string; source: string | null }>();
  return Object.fromEntries(results.map((r) => [r.email, r.source]));
}

const FIELD_KEY = 'lead_source';
// The fake's Contact.LeadSource: active values, in Salesforce's order ("Trade Show" is inactive, so not offered).
const ACTIVE_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];

describe('pick lists of a sync', () => {
  it('make the pick list the allowed values of the field, report an unknown value, and accept it once the CRM has it', async () => {
    await ok<Field>('POST', '/api/fields', { label: 'Lead source', key: FIELD_KEY, type: 'text' });
    const [web, partner, webinar] = contacts(3);
    const org = await createOrg({
      records: { Contact: [{ ...web, LeadSource: 'Web' }, { ...partner, LeadSource: 'Partner Referral' }, { ...webinar, LeadSource: 'Webinar' }] },
    });
    const mapped = settings();
    mapped.mapping.columns.push({ column: 'LeadSource', target: FIELD_KEY, sensitive: false });
    const sync = await createSync(await connect(org), mapped);

    const first = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(first).toMatchObject({ status: 'succeeded', pulled: 3 });
    expect(first.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 0, rejected: 1, skipped: 0 });
    const { report } = await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${first.id}`);
    expect(report.errors).toEqual([
      {
        row: 3,
        column: 'LeadSource',
        code: 'value_not_allowed',
        message: `"Webinar" is not one of the allowed values of Lead source: ${ACTIVE_SOURCES.join(', ')}.`,
        value: 'Webinar',
      },
    ]);
    const field = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === FIELD_KEY);
    expect(field?.allowedValues).toEqual(ACTIVE_SOURCES.map((s) => ({ label: s, code: s })));

    // The same rule for every import into the field: a CSV's value must be one of them too (label, case aside, or code).
    const csv = await startImport(startBody([{ column: 'Email', target: 'email' }, { column: 'Source', target: FIELD_KEY }], 'Email'));
    const batch = await sendBatch(csv.id, 0, rows(1, [['x@example.com', 'phone inquiry'], ['y@example.com', 'Webinar']]));
    expect(batch.counts).toMatchObject({ inserted: 1, rejected: 1 });
    expect(batch.errors.map((e) => [e.row, e.code])).toEqual([[2, 'value_not_allowed']]);

    // Added in Salesforce, with a label of its own: the next run refreshes the pick list and pulls everything again,
    // so the record rejected before comes in, holding the label.
    await addPicklistValue(org, { object: 'Contact', field: 'LeadSource', value: 'Webinar', label: 'Webinar (online)' });
    const second = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(second).toMatchObject({ status: 'succeeded', incremental: false, pulled: 3 });
    expect(second.counts).toEqual({ received: 3, inserted: 1, updated: 2, duplicates: 0, rejected: 0, skipped: 0 });
    expect(await leadSources(sync.audienceId)).toEqual({
      'person1@example.com': 'Web',
      'person2@example.com': 'Partner Referral',
      'person3@example.com': 'Webinar (online)',
    });
    const refreshed = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === FIELD_KEY);
    expect(refreshed?.allowedValues?.at(-1)).toEqual({ label: 'Webinar (online)', code: 'Webinar' });

    // Nothing gained since: the run after is incremental again.
    const third = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(third).toMatchObject({ status: 'succeeded', incremental: true });
  });

  it('holds Dataverse choices by label, and reports a code the option set does not have', async () => {
    await ok<Field>('POST', '/api/fields', { label: 'Gender', key: 'gender_choice', type: 'text' });
    // Options 1 Male, 2 Female; 7 is no option (Dataverse then sends no formatted value, only the number).
    const codes = [1, 2, 7];
    const { sync } = await dynamicsSync(inject('dynamicsUrl'), 3, 2, {
      extra: (i) => ({ gendercode: codes[i] }),
      columns: [{ column: 'gendercode', target: 'gender_choice', sensitive: false }],
    });
    const run = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(run.counts).toEqual({ received: 3, inserted: 2, updated: 0, duplicates: 0, rejected: 1, skipped: 0 });
    const { report } = await ok<SyncRunReport>('GET', `/api/syncs/${sync.id}/runs/${run.id}`);
    expect(report.errors.map((e) => [e.row, e.column, e.code, e.message])).toEqual([
      [3, 'gendercode', 'value_not_allowed', '"7" is not one of the allowed values of Gender: Male, Female.'],
    ]);
    const field = (await ok<Field[]>('GET', '/api/fields')).find((f) => f.key === 'gender_choice');
    expect(field?.allowedValues).toEqual([
      { label: 'Male', code: '1' },
      { label: 'Female', code: '2' },
    ]);
    const { results } = await env.DB.prepare("SELECT json_extract(attributes, '$.gender_choice') AS g FROM members WHERE audience_id = ? ORDER BY 1")
      .bind(sync.audienceId)
      .all<{ g: string }>();
    expect(results.map((r) => r.g)).toEqual(['Female', 'Male']);
  });
});
