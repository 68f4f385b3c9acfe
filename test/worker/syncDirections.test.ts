import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { connect, createOrg } from './connectors/fakeSalesforce.ts';
import { saveExportSettings } from './push/pushHelpers.ts';
import { changeRecords, contacts, createSync, runNow, settled } from './sync/syncHelpers.ts';
import { storedMembers } from './support/storedMembers.ts';

// The export settings' per-field direction applies to the scheduled pull too: a field we own (to CRM) keeps the
// member's value when the CRM's changes are pulled; a field the CRM owns (from CRM) follows the CRM.

/** The Salesforce id of a member's record, as the sync linked it. */
async function recordOf(audienceId: string, email: string): Promise<string> {
  const row = await env.DB.prepare('SELECT record_id FROM crm_record_links WHERE audience_id = ? AND member_key = ?').bind(audienceId, email).first<{ record_id: string }>();
  if (!row) throw new Error(`no CRM record linked to ${email}`);
  return row.record_id;
}

async function firstNameOf(audienceId: string, email: string): Promise<string | null> {
  return (await storedMembers(audienceId)).find((m) => m.identifier_key === email)?.attributes.first_name ?? null;
}

const exportSettings = (direction: 'to_crm' | 'from_crm') => ({
  people: {
    target: 'contact',
    identifiers: [{ platformField: 'email', crmProperty: 'Email' }],
    fields: [
      { platformField: 'email', crmProperty: 'Email' },
      { platformField: 'first_name', crmProperty: 'FirstName', direction },
    ],
  },
});

describe('a scheduled pull follows each field’s direction', () => {
  it('keeps the member’s value of a field sent only to the CRM, and takes the CRM’s when the field comes from it', async () => {
    const org = await createOrg({ records: { Contact: contacts(2) } });
    const connectionId = await connect(org);
    const sync = await createSync(connectionId);
    const full = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(full.counts.inserted).toBe(2);
    expect(await firstNameOf(sync.audienceId, 'person1@example.com')).toBe('Person1');

    await saveExportSettings(connectionId, exportSettings('to_crm'));
    await changeRecords(org.loginUrl, { object: 'Contact', upsert: [{ Id: await recordOf(sync.audienceId, 'person1@example.com'), FirstName: 'Renamed in Salesforce' }] });
    const held = await settled(sync.id, (await runNow(sync.id)).run.id);
    // The key field (Email) goes to the CRM too: it still finds the member, and nothing is rejected or skipped.
    expect(held).toMatchObject({ status: 'succeeded', incremental: true });
    expect(held.counts).toMatchObject({ rejected: 0, skipped: 0 });
    expect(await firstNameOf(sync.audienceId, 'person1@example.com')).toBe('Person1');

    await saveExportSettings(connectionId, exportSettings('from_crm'));
    await changeRecords(org.loginUrl, { object: 'Contact', upsert: [{ Id: await recordOf(sync.audienceId, 'person1@example.com'), FirstName: 'Renamed again' }] });
    const taken = await settled(sync.id, (await runNow(sync.id)).run.id);
    expect(taken).toMatchObject({ status: 'succeeded', counts: { received: 1, updated: 1, rejected: 0 } });
    expect(await firstNameOf(sync.audienceId, 'person1@example.com')).toBe('Renamed again');
    expect(await firstNameOf(sync.audienceId, 'person2@example.com')).toBe('Person2');
  });
});
