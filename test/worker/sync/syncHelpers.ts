import { env } from 'cloudflare:test';
import { inject } from 'vitest';
import type { FakeRecord, RecordChanges } from '../../servers/salesforce/controlTypes.ts';
import type { CreateSyncBody, RunNowAnswer, Sync, SyncRun, SyncSettings } from '../../../shared/schema/syncs.ts';
import { ok } from '../support/api.ts';
import { storedMembers } from '../support/storedMembers.ts';

/**
 * Contacts the fake org starts with: an email each (the key field), a first name, the sync flag set, and last
 * changed one day apart in January 2025 (the last one on the 5th for five contacts).
 */
export function contacts(n: number, from = 1): FakeRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    FirstName: `Person${from + i}`,
    LastName: 'Synced',
    Email: `person${from + i}@example.com`,
    Custom_Field_005__c: true,
    LastModifiedDate: `2025-01-${String(from + i).padStart(2, '0')}T00:00:00.000+0000`,
  }));
}

export function settings(overrides: Partial<SyncSettings> = {}): SyncSettings {
  return {
    name: 'Contacts from Salesforce',
    object: 'Contact',
    filters: [{ field: 'LastName', operator: 'equals', value: 'Synced' }],
    mapping: {
      columns: [
        { column: 'Email', target: 'email', sensitive: false },
        { column: 'FirstName', target: 'first_name', sensitive: false },
      ],
      identifier: 'Email',
      onMatch: 'update',
    },
    cycle: 'manual',
    deletionRule: 'remove_member',
    flagField: null,
    defaultCountry: 'US',
    ...overrides,
  };
}

export function createSync(connectionId: string, s: SyncSettings = settings()): Promise<Sync> {
  const body: CreateSyncBody = {
    connectionId,
    audienceName: `Synced ${crypto.randomUUID().slice(0, 8)}`,
    settings: s,
    consent: { doubleOptIn: true, confirmedBy: 'marketer@example.com' },
  };
  return ok<Sync>('POST', '/api/syncs', body);
}

export const runNow = (syncId: string) => ok<RunNowAnswer>('POST', `/api/syncs/${syncId}/runs`);
export const runsOf = (syncId: string) => ok<SyncRun[]>('GET', `/api/syncs/${syncId}/runs`);

/** Waits until the run is no longer running (the workflow runs beside the test, in the same workerd). */
export async function settled(syncId: string, runId: string, timeoutMs = 45_000): Promise<SyncRun> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = (await runsOf(syncId)).find((r) => r.id === runId);
    if (run && run.status !== 'running') return run;
    if (Date.now() > until) throw new Error(`run ${runId} still ${run?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Changes records "in Salesforce" (test/servers/salesforce control API). */
export async function changeRecords(loginUrl: string, changes: RecordChanges): Promise<string[]> {
  const control = `${inject('fakeSalesforceUrl')}/__control/orgs/${loginUrl.split('/orgs/')[1]?.split('/')[0]}/records`;
  const res = await fetch(control, { method: 'POST', body: JSON.stringify(changes) });
  if (!res.ok) throw new Error(`record changes refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { ids: string[] }).ids;
}

export async function memberEmails(audienceId: string): Promise<string[]> {
  return (await storedMembers(audienceId)).map((m) => m.attributes.email as string).sort();
}
