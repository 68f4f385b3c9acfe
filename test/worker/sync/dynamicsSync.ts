import { env } from 'cloudflare:test';
import type { ColumnMapping } from '../../../shared/schema/mapping.ts';
import type { SyncSettings } from '../../../shared/schema/syncs.ts';
import { fakeDataverse } from '../../servers/dynamics/fakeControls.ts';
import { requestAsAdmin } from '../support/api.ts';
import { createSync } from './syncHelpers.ts';

/**
 * A sync of a Dynamics environment of its own (a tenant of the fake), seeded with `n` contacts (person1… with
 * `extra(i)` merged in) and paged `pageSize` at a time; `columns` are mapped beside email and first name.
 * `dataverseUrl`: inject('dynamicsUrl'), which only a test file sees.
 */
export async function dynamicsSync(dataverseUrl: string, n: number, pageSize: number, more: { extra?: (i: number) => Record<string, unknown>; columns?: ColumnMapping[] } = {}) {
  const tenant = crypto.randomUUID();
  const fake = fakeDataverse(dataverseUrl, tenant);
  await fake.control({
    seedContacts: Array.from({ length: n }, (_, i) => ({
      emailaddress1: `person${i + 1}@example.com`,
      firstname: `Person${i + 1}`,
      lastname: 'Synced',
      modifiedon: `2025-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
      ...more.extra?.(i),
    })),
    maxPageSize: pageSize,
  });
  const bindings = { ...env, DYNAMICS_AUTHORITY_URL: dataverseUrl, DYNAMICS_ALLOWED_ORIGINS: dataverseUrl } as Env;
  const res = await requestAsAdmin(
    '/api/connections/dynamics/app',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ environmentUrl: dataverseUrl, tenant }) },
    bindings,
  );
  if (res.status !== 201) throw new Error(`connecting the fake Dataverse failed: ${res.status} ${await res.text()}`);
  const connectionId = ((await res.json()) as { id: string }).id;
  const settings: SyncSettings = {
    name: 'Contacts from Dynamics',
    object: 'contact',
    filters: [],
    mapping: {
      columns: [
        { column: 'emailaddress1', target: 'email', sensitive: false },
        { column: 'firstname', target: 'first_name', sensitive: false },
        ...(more.columns ?? []),
      ],
      identifier: 'emailaddress1',
      onMatch: 'update',
    },
    cycle: 'manual',
    deletionRule: 'remove_member',
    flagField: null,
    defaultCountry: 'US',
  };
  const sync = await createSync(connectionId, settings);
  await fake.control({ clearLog: true });
  return { fake, sync };
}
