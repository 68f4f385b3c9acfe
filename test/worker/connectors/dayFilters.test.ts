import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { CrmPreview } from '../../../shared/schema/connections.ts';
import type { CrmFilter } from '../../../shared/schema/crm.ts';
import { requestAsAdmin } from '../support/api.ts';
import { fakeDataverse } from '../../servers/dynamics/fakeControls.ts';
import { call, connect, createOrg } from './fakeSalesforce.ts';

// "Created is on 2024-01-02" means that whole day where the user is, for every CRM (the bug: it matched only the
// instant 2024-01-02T00:00:00Z, i.e. nothing). In Berlin that day runs from 2024-01-01T23:00Z to 2024-01-02T23:00Z.
const CREATED = {
  newYearsEveInLondonButJan2InBerlin: '2024-01-01T23:30:00Z',
  noonJan2: '2024-01-02T12:00:00Z',
  lateJan2InLondonButJan3InBerlin: '2024-01-02T23:30:00Z',
  jan1: '2024-01-01T10:00:00Z',
};
const onJan2 = (operator: CrmFilter['operator'], timeZone?: string): CrmFilter => ({ field: '', operator, value: '2024-01-02', ...(timeZone ? { timeZone } : {}) });

describe('Salesforce: a day on CreatedDate', () => {
  it('is the whole day in the user’s time zone, for on / not on / after / before', async () => {
    const org = await createOrg({ records: { Contact: Object.entries(CREATED).map(([LastName, at]) => ({ LastName, CreatedDate: at.replace('Z', '.000+0000') })) } });
    const id = await connect(org);
    const names = async (filter: CrmFilter) => {
      const res = await call(org, `/api/connections/${id}/objects/Contact/preview`, { json: { attributes: ['LastName'], filters: [{ ...filter, field: 'CreatedDate' }] } });
      expect(res.status).toBe(200);
      return CrmPreview.parse(await res.json()).records.map((r) => r.LastName).sort();
    };
    expect(await names(onJan2('equals', 'Europe/Berlin'))).toEqual(['newYearsEveInLondonButJan2InBerlin', 'noonJan2']);
    expect(await names(onJan2('equals'))).toEqual(['lateJan2InLondonButJan3InBerlin', 'noonJan2']);
    expect(await names(onJan2('not_equals', 'Europe/Berlin'))).toEqual(['jan1', 'lateJan2InLondonButJan3InBerlin']);
    expect(await names(onJan2('greater_than', 'Europe/Berlin'))).toEqual(['lateJan2InLondonButJan3InBerlin']);
    expect(await names(onJan2('less_than', 'Europe/Berlin'))).toEqual(['jan1']);
  });

  it('refuses a time zone that is not one', async () => {
    const org = await createOrg();
    const id = await connect(org);
    const res = await call(org, `/api/connections/${id}/objects/Contact/preview`, {
      json: { attributes: ['LastName'], filters: [{ field: 'CreatedDate', operator: 'equals', value: '2024-01-02', timeZone: 'Mars/Olympus' }] },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed', details: [{ path: ['filters', 0, 'timeZone'] }] } });
  });
});

describe('Dynamics 365: a day on createdon', () => {
  it('is the whole day in the user’s time zone, for on / not on / after / before', async () => {
    const fakeUrl = inject('dynamicsUrl');
    const tenant = crypto.randomUUID();
    const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl };
    await fakeDataverse(fakeUrl, tenant).control({ seedContacts: Object.entries(CREATED).map(([lastname, createdon]) => ({ lastname, createdon })) });
    const request = (path: string, body: unknown) =>
      requestAsAdmin(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }, testEnv);
    const { id } = (await (await request('/api/connections/dynamics/app', { environmentUrl: fakeUrl, tenant })).json()) as { id: string };
    const names = async (filter: CrmFilter) => {
      const res = await request(`/api/connections/${id}/objects/contact/preview`, { attributes: ['lastname'], filters: [{ ...filter, field: 'createdon' }] });
      expect(res.status).toBe(200);
      return CrmPreview.parse(await res.json()).records.map((r) => r.lastname).sort();
    };
    expect(await names(onJan2('equals', 'Europe/Berlin'))).toEqual(['newYearsEveInLondonButJan2InBerlin', 'noonJan2']);
    expect(await names(onJan2('equals'))).toEqual(['lateJan2InLondonButJan3InBerlin', 'noonJan2']);
    expect(await names(onJan2('not_equals', 'Europe/Berlin'))).toEqual(['jan1', 'lateJan2InLondonButJan3InBerlin']);
    expect(await names(onJan2('greater_than', 'Europe/Berlin'))).toEqual(['lateJan2InLondonButJan3InBerlin']);
    expect(await names(onJan2('less_than', 'Europe/Berlin'))).toEqual(['jan1']);
  });
});
