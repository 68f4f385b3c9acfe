import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { Audience } from '../../shared/schema/audiences.ts';
import type { DeletionRule, SyncSettings } from '../../shared/schema/syncs.ts';
import { fakeDataverse } from '../servers/dynamics/fakeControls.ts';
import { guid } from '../servers/dynamics/tables.ts';
import { ok, requestAsAdmin } from './support/api.ts';
import { createSync, memberEmails, runNow, settings, settled } from './sync/syncHelpers.ts';
import { storedMembers } from './support/storedMembers.ts';

// Syncs of a Dataverse table through the fake Dataverse (test/servers/dynamics): change tracking where the table
// has it (contact does), modifiedon otherwise. Each test has its own tenant, so its own contacts.
const fakeUrl = inject('dynamicsUrl');
const testEnv = { ...env, DYNAMICS_AUTHORITY_URL: fakeUrl, DYNAMICS_ALLOWED_ORIGINS: fakeUrl };

/** The id the fake gives the n-th seeded contact. */
const contactId = (n: number) => guid(n, 0xc5);

function seeded(n: number, from = 1): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    firstname: `Person${from + i}`,
    lastname: 'Synced',
    emailaddress1: `person${from + i}@example.com`,
    modifiedon: `2025-01-${String(from + i).padStart(2, '0')}T00:00:00Z`,
  }));
}

function dynamicsSettings(overrides: Partial<SyncSettings> = {}): SyncSettings {
  return settings({
    name: 'Contacts from Dynamics 365',
    object: 'contact',
    filters: [],
    mapping: {
      columns: [
        { column: 'emailaddress1', target: 'email', sensitive: false },
        { column: 'firstname', target: 'first_name', sensitive: false },
      ],
      identifier: 'emailaddress1',
      onMatch: 'update',
    },
    ...overrides,
  });
}

/** A tenant of its own with these contacts, pages of two, connected as the app registration. */
async function environmentWith(contacts: Record<string, unknown>[]) {
  const tenant = crypto.randomUUID();
  const fake = fakeDataverse(fakeUrl, tenant);
  await fake.control({ seedContacts: contacts, maxPageSize: 2 });
  const res = await requestAsAdmin(
    '/api/connections/dynamics/app',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ environmentUrl: fakeUrl, tenant }) },
    testEnv,
  );
  if (res.status !== 201) throw new Error(`connect failed: ${res.status} ${await res.text()}`);
  const connectionId = ((await res.json()) as { id: string }).id;
  return { fake, connectionId };
}

const contactReads = async (fake: ReturnType<typeof fakeDataverse>) => (await fake.log()).requests.filter((r) => r.url.includes('/contacts'));

async function firstNames(audienceId: string): Promise<Record<string, string>> {
  return Object.fromEntries((await storedMembers(audienceId)).map((m) => [m.attributes.email, m.attributes.first_name]));
}

describe('a Dynamics 365 table with change tracking', () => {
  it.each<DeletionRule>(['remove_member', 'keep_and_mark'])('reads everything once, then only the delta link: changed, new and deleted records (%s)', async (rule) => {
    const { fake, connectionId } = await environmentWith(seeded(5));
    const sync = await createSync(connectionId, dynamicsSettings({ deletionRule: rule }));

    const full = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(full).toMatchObject({ status: 'succeeded', incremental: false, pulled: 5, removed: 0 });
    expect(full.counts).toEqual({ received: 5, inserted: 5, updated: 0, duplicates: 0, rejected: 0, skipped: 0 });
    const firstReads = await contactReads(fake);
    // Three pages of two; change tracking asked for, and no $filter (Dataverse refuses it with change tracking).
    expect(firstReads).toHaveLength(3);
    expect(firstReads[0]?.prefer).toContain('odata.track-changes');
    expect(firstReads.every((r) => !r.url.includes('%24filter') && !r.url.includes('$filter'))).toBe(true);
    // The table's definition (primary id, change tracking) is read at the run's start (pick lists) and with the
    // first page, not once per page.
    const definitions = (await fake.log()).requests.filter((r) => /^[^?]*EntityDefinitions\(LogicalName='contact'\)\?/.test(decodeURIComponent(r.url)));
    expect(definitions).toHaveLength(2);

    await fake.control({
      clearLog: true,
      changeContacts: { upsert: [{ contactid: contactId(2), firstname: 'Renamed' }, ...seeded(1, 6)], delete: [contactId(4)] },
    });
    const delta = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(delta).toMatchObject({ status: 'succeeded', incremental: true, pulled: 2, removed: 1 });
    expect(delta.counts).toEqual({ received: 2, inserted: 1, updated: 1, duplicates: 0, rejected: 0, skipped: 0 });
    expect(delta.notice).toBeUndefined();
    const deltaReads = await contactReads(fake);
    // Changed, new, deleted: three entries, two pages.
    expect(deltaReads.map((r) => r.url.includes('deltatoken'))).toEqual([true, true]);

    const names = await firstNames(sync.audienceId);
    expect(names['person2@example.com']).toBe('Renamed');
    expect(names['person6@example.com']).toBe('Person6');
    const audience = await ok<Audience>('GET', `/api/audiences/${sync.audienceId}`);
    if (rule === 'remove_member') {
      expect(await memberEmails(sync.audienceId)).toEqual([1, 2, 3, 5, 6].map((n) => `person${n}@example.com`));
      expect(audience.memberCount).toBe(5);
    } else {
      expect(audience.memberCount).toBe(6);
      const marked = { results: (await storedMembers(sync.audienceId)).filter((m) => m.removed_from_source_at !== null).map((m) => ({ email: m.attributes.email })) };
      expect(marked.results.map((r) => r.email)).toEqual(['person4@example.com']);
    }

    // Nothing changed since: one request, nothing pulled.
    const quiet = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(quiet).toMatchObject({ status: 'succeeded', incremental: true, pulled: 0, removed: 0 });
  });

  it('reads everything again when the delta token has expired, says so, and goes on with the new one', async () => {
    const { fake, connectionId } = await environmentWith(seeded(3));
    const sync = await createSync(connectionId, dynamicsSettings());
    expect((await settled(sync.id, (await runNow(sync.id)).run.id)).pulled).toBe(3);

    await fake.control({ expireDeltaTokens: true, clearLog: true });
    const full = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(full).toMatchObject({ status: 'succeeded', incremental: false, changedSince: null, pulled: 3, removed: 0 });
    expect(full.notice).toMatch(/no longer had the list of changes.*read every record again/);
    expect(full.counts).toMatchObject({ received: 3, inserted: 0, rejected: 0 });
    const reads = await contactReads(fake);
    expect(reads[0]).toMatchObject({ status: 400 });
    expect(reads[0]?.url).toContain('deltatoken');
    expect(reads[1]?.url).not.toContain('deltatoken');

    await fake.control({ changeContacts: { upsert: [{ contactid: contactId(1), firstname: 'Later' }] } });
    const next = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(next).toMatchObject({ status: 'succeeded', incremental: true, pulled: 1 });
    expect(next.notice).toBeUndefined();
    expect((await firstNames(sync.audienceId))['person1@example.com']).toBe('Later');
  });

  it('picks up with the next run a record changed while a run read the pages', async () => {
    const { fake, connectionId } = await environmentWith(seeded(5));
    const sync = await createSync(connectionId, dynamicsSettings());
    // The second page is answered "too many requests, retry in 2 s": time to change contact 1, already read.
    await fake.control({ fail: { status: 429, retryAfter: 2, match: 'skiptoken', count: 1 } });
    const started = await runNow(sync.id);
    for (let i = 0; !(await contactReads(fake)).some((r) => r.status === 429); i++) {
      if (i > 200) throw new Error('the second page was never asked for');
      await new Promise((r) => setTimeout(r, 25));
    }
    await fake.control({ changeContacts: { upsert: [{ contactid: contactId(1), firstname: 'DuringRun' }] } });
    const first = await settled(sync.id, started.run.id);
    expect(first).toMatchObject({ status: 'succeeded', pulled: 5 });
    expect((await firstNames(sync.audienceId))['person1@example.com']).toBe('Person1');

    const next = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(next).toMatchObject({ status: 'succeeded', incremental: true, pulled: 1 });
    expect(next.counts).toMatchObject({ received: 1, updated: 1, inserted: 0 });
    expect((await firstNames(sync.audienceId))['person1@example.com']).toBe('DuringRun');
  });
});

describe('a Dynamics 365 sync with filters', () => {
  it('reads by query and modifiedon, since change tracking refuses $filter', async () => {
    const { fake, connectionId } = await environmentWith(seeded(3));
    const sync = await createSync(connectionId, dynamicsSettings({ filters: [{ field: 'lastname', operator: 'equals', value: 'Synced' }] }));
    expect((await settled(sync.id, (await runNow(sync.id)).run.id)).counts.inserted).toBe(3);
    await fake.control({ clearLog: true, changeContacts: { upsert: [{ contactid: contactId(3), firstname: 'Changed' }] } });
    const next = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(next).toMatchObject({ status: 'succeeded', incremental: true, pulled: 1 });
    const [read] = await contactReads(fake);
    expect(read?.prefer ?? '').not.toContain('track-changes');
    expect(decodeURIComponent(read?.url ?? '')).toMatch(/modifiedon gt 2025-01-02T23:55:00Z/);
  });
});
