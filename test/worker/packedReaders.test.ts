import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { MemberPage } from '../../shared/schema/audiences.ts';
import type { EngagementAnswer, MemberEngagement } from '../../shared/schema/crmPush.ts';
import { membersHolding } from '../../worker/history/impact.ts';
import { countInScope, nextMembers, scopeWhere } from '../../worker/push/pushMembers.ts';
import { removeMembers } from '../../worker/sync/removeMembers.ts';
import { membersBackToJson } from './support/jsonMembers.ts';
import { fetchAs, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';
import { MIXED_COLUMNS, MIXED_COLUMNS_SENSITIVE_ID, MIXED_ROWS } from './support/mixedMembers.ts';
import { keyedHashPrefix, openedFields, packMembersInPlace, storedMembers } from './support/storedMembers.ts';

// Every member reader on rows in the packed form (worker/store/packedColumns.ts): members are imported through the
// API and put back into 0190's JSON (support/jsonMembers.ts), read by every reader, rewritten in place into the packed form with a
// multi-field server envelope, and read again: the same answers. Some audiences hold both forms at once.

const COLUMNS = MIXED_COLUMNS;
const SENSITIVE_ID = MIXED_COLUMNS_SENSITIVE_ID;
// City's number is 10 (nine numbers taken first, then the batch's names in name order: city, description, …), so
// its packed entry for "Paris" is the bytes "\n\nParis" — which "HQ\n\nParis" in Notes holds too: a candidate the
// SQL prefilter keeps and the decoded check must drop.
const VALUES = MIXED_ROWS;

/** Field numbers 1–9 taken (once: the file's tests share their D1), so the next names number from 10. */
const takeNineNumbers = () =>
  env.DB.batch(
    Array.from({ length: 9 }, (_, i) => env.DB.prepare("INSERT OR IGNORE INTO member_field_refs (workspace_id, ref, key) VALUES ('default', ?, ?)").bind(i + 1, `taken_${i + 1}`)),
  );

async function importAudience(columns: Column[], name: string) {
  const imp = await startImport(startBody(columns, 'Email', { audienceName: name }));
  await sendBatch(imp.id, 0, rows(1, VALUES));
  await ok('POST', `/api/imports/${imp.id}/finish`);
  // The product writes packed columns: these tests start from members in 0190's JSON form, as stored before.
  await membersBackToJson();
  return imp.audienceId;
}

/** Every page of a member list query (limit 1: each page one member SQL read, some of them dropped). */
async function allPages(audienceId: string, query: string): Promise<{ members: MemberPage['members']; pages: number }> {
  const members: MemberPage['members'] = [];
  let pages = 0;
  for (let cursor: string | null = ''; cursor !== null; pages++) {
    const page: MemberPage = await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=1&${query}${cursor ? `&cursor=${cursor}` : ''}`);
    members.push(...page.members);
    cursor = page.nextCursor;
  }
  return { members, pages };
}

const exportCsv = async (audienceId: string) => {
  const res = await fetchAs('admin', `/api/audiences/${audienceId}/export.csv`);
  expect(res.status).toBe(200);
  return res.text();
};

/** What every reader answers for an audience. */
async function readersOf(audienceId: string) {
  const paris = await allPages(audienceId, 'field=city&value=Paris');
  const filter = await scopeWhere(env, 'default', audienceId, { kind: 'filter', field: 'city', value: 'Paris' });
  const pushedInPages = [];
  for (let after = 0; ; ) {
    const [member] = await nextMembers(env, 'default', audienceId, filter, after, 1, ['mobile', 'first_name']);
    if (!member) break;
    pushedInPages.push(member.values);
    after = member.memberId;
  }
  return {
    page: await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=100`),
    byIdentifier: await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=10&identifier=B%40x.io`),
    byCity: paris.members,
    byNotesEqualToIdentifier: (await allPages(audienceId, `field=description&value=${encodeURIComponent('a@x.io')}`)).members,
    byOddNotes: (await allPages(audienceId, `field=description&value=${encodeURIComponent('HQ\n\nParis')}`)).members,
    csv: await exportCsv(audienceId),
    pushed: (await nextMembers(env, 'default', audienceId, { conditions: [], params: [] }, 0, 10, ['mobile', 'first_name'])).map((m) => [m.label, m.values, m.sensitiveFields]),
    pushFilterCount: await countInScope(env.DB, 'default', audienceId, filter),
    pushedInPages,
    holding: await Promise.all(
      ['city', 'mobile', 'first_name', 'description', 'country'].map((f) => membersHolding(env.DB, 'default', [{ id: audienceId, name: '', memberCount: 5, via: ['import'] }], f)),
    ),
  };
}

describe('member readers on packed rows', () => {
  it('answer the same for JSON rows, packed rows and a mix, in every reader', async () => {
    await takeNineNumbers();
    const plainId = await importAudience(COLUMNS, 'Plain identifier');
    const hashedId = await importAudience(SENSITIVE_ID, 'Sensitive identifier');
    expect((await env.DB.prepare("SELECT ref FROM member_field_refs WHERE workspace_id = 'default' AND key = 'city'").first<{ ref: number }>())?.ref).toBe(10);

    const before = { plain: await readersOf(plainId), hashed: await readersOf(hashedId) };
    // The answers are what the data says (not only equal to each other): checked once here on the JSON rows.
    expect(before.plain.byCity.map((m) => m.identifier)).toEqual(['a@x.io', 'b@x.io', 'd@x.io']);
    expect(before.plain.byNotesEqualToIdentifier.map((m) => m.identifier)).toEqual(['a@x.io']);
    expect(before.plain.byOddNotes.map((m) => m.identifier)).toEqual(['c@x.io']);
    expect(before.plain.byIdentifier.members.map((m) => m.identifier)).toEqual(['b@x.io']);
    expect(before.plain.pushed[0]).toEqual(['a@x.io', { email: 'a@x.io', city: 'Paris', description: 'a@x.io', mobile: '+14155552671', first_name: 'Ada' }, ['first_name', 'mobile']]);
    expect(before.plain.pushFilterCount).toBe(3);
    expect(before.plain.pushedInPages.map((v) => v.email)).toEqual(['a@x.io', 'b@x.io', 'd@x.io']);
    expect(before.plain.holding).toEqual([5, 3, 3, 3, 0]);
    expect(before.hashed.byIdentifier.members.map((m) => m.identifier)).toEqual(['••••••']);
    expect(before.plain.csv).toContain('Zürich');
    const jsonRows = await storedMembers(plainId);
    expect(jsonRows.every((m) => !m.packed)).toBe(true);

    // A mix first: two members of each audience packed, the others still JSON.
    const plainIds = jsonRows.map((m) => m.id);
    await packMembersInPlace(plainId, [plainIds[0] as number, plainIds[2] as number]);
    const hashedIds = (await storedMembers(hashedId)).map((m) => m.id);
    await packMembersInPlace(hashedId, [hashedIds[1] as number, hashedIds[3] as number]);
    expect((await storedMembers(plainId)).map((m) => m.packed)).toEqual([true, false, true, false, false]);
    expect(await readersOf(plainId)).toEqual(before.plain);
    expect(await readersOf(hashedId)).toEqual(before.hashed);

    // Then every member packed.
    await packMembersInPlace(plainId);
    await packMembersInPlace(hashedId);
    const packed = await storedMembers(plainId);
    expect(packed.every((m) => m.packed)).toBe(true);
    expect(await readersOf(plainId)).toEqual(before.plain);
    expect(await readersOf(hashedId)).toEqual(before.hashed);

    // The stored form is what the packed write path will store: one server envelope naming both sensitive fields,
    // opened once for both; the view shows NULL for packed columns (SQL cannot decode them).
    const ada = packed[0] ?? expect.fail('no member');
    expect(ada.envelopes.map((e) => [e.kind, [...e.fields].sort()])).toEqual([['server', ['first_name', 'mobile']]]);
    expect(await openedFields(ada)).toEqual({ mobile: '+14155552671', first_name: 'Ada' });
    const viewed = await env.DB.prepare('SELECT attributes, hashes, sealed FROM members WHERE id = ?').bind(ada.id).first();
    expect(viewed).toEqual({ attributes: null, hashes: null, sealed: null });
    // Hashes are cut to 128 bits, except the identifier's own (the member's key, stored once).
    const hashedMembers = await storedMembers(hashedId);
    const first = hashedMembers[0] ?? expect.fail('no member');
    const jsonHashes = before.hashed.page.members[0]?.sensitive;
    expect(Object.keys(first.hashes).sort()).toEqual(Object.keys(jsonHashes ?? {}).sort());
    expect(first.hashes.email).toBe(first.identifier_key);
    expect(first.hashes.mobile).toHaveLength(32);
    expect(keyedHashPrefix(first, first.identifier_key)).toBe(first.identifier_key);

    // Engagement finds packed members by their key.
    const events = ['a@x.io', 'B@x.io'].map((memberIdentifier, i) => ({
      eventId: `ev-${i}`,
      audienceId: hashedId,
      memberIdentifier,
      campaign: 'Spring',
      sequence: 'Welcome',
      step: 1,
      event: 'open' as const,
      at: '2026-11-29T10:00:00.000Z',
    }));
    const answer = await ok<EngagementAnswer>('POST', '/api/engagement', { events });
    expect(answer).toMatchObject({ stored: 2, unknown: 0 });
    const engagement = await ok<MemberEngagement>('GET', `/api/audiences/${hashedId}/members/${first.id}/engagement`);
    expect(engagement.events.map((e) => e.eventId)).toEqual(['ev-0']);

    // Sync removal: marking keeps the packed values; removing deletes the member and lowers the count.
    const keyOf = (email: string) => packed.find((m) => m.attributes.email === email)?.identifier_key ?? expect.fail(email);
    const now = '2026-11-29T12:00:00.000Z';
    expect(await removeMembers(env.DB, { workspaceId: 'default', audienceId: plainId, keys: [keyOf('b@x.io')], rule: 'keep_and_mark', now }, 'no-run')).toBe(1);
    const marked = (await storedMembers(plainId)).find((m) => m.attributes.email === 'b@x.io') ?? expect.fail('b@x.io is gone');
    expect(marked).toMatchObject({ packed: true, removed_from_source_at: now, updated_at: now, attributes: packed[1]?.attributes, hashes: packed[1]?.hashes });
    expect(await openedFields(marked)).toEqual({ mobile: '+14155550000', first_name: 'Bob' });
    expect(await removeMembers(env.DB, { workspaceId: 'default', audienceId: plainId, keys: [keyOf('c@x.io')], rule: 'remove_member', now }, 'no-run')).toBe(1);
    expect((await storedMembers(plainId)).map((m) => m.attributes.email)).toEqual(['a@x.io', 'b@x.io', 'd@x.io', 'e@x.io']);
    expect((await ok<{ memberCount: number }>('GET', `/api/audiences/${plainId}`)).memberCount).toBe(4);
  });

  it('drops false candidates of a field search without skipping a match across pages', async () => {
    await takeNineNumbers();
    const audienceId = await importAudience(COLUMNS, 'Paging');
    await packMembersInPlace(audienceId);
    // limit 1: the page of c@x.io (a candidate by its Notes bytes, not a match) is empty but points on.
    const { members, pages } = await allPages(audienceId, 'field=city&value=Paris');
    expect(members.map((m) => m.identifier)).toEqual(['a@x.io', 'b@x.io', 'd@x.io']);
    expect(pages).toBeGreaterThan(3);
    const empty = await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=2&field=city&value=Paris&cursor=${members[1]?.id}`);
    expect(empty.members.map((m) => m.identifier)).toEqual(['d@x.io']);
    const candidatePage = await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members?limit=1&field=city&value=Paris&cursor=${members[1]?.id}`);
    expect(candidatePage.members).toEqual([]);
    expect(candidatePage.nextCursor).not.toBeNull();
  });

  it('names the member and field whose packed server envelope does not open, in the export and the push', async () => {
    await takeNineNumbers();
    const audienceId = await importAudience(COLUMNS, 'Tampered');
    await packMembersInPlace(audienceId);
    const bob = (await storedMembers(audienceId))[1] ?? expect.fail('no member');
    // The envelope's second field: the push asks for it alone.
    const second = bob.envelopes[0]?.fields[1] ?? expect.fail('one envelope naming two fields');
    // One byte of the ciphertext flipped: the envelope's tag refuses it, whichever of its fields is asked for.
    const hex = (await env.DB.prepare('SELECT hex(sealed) AS h FROM member_records WHERE id = ?').bind(bob.id).first<{ h: string }>())?.h ?? '';
    // The only envelope is the server one, so the last bytes are its tag.
    const at = hex.length - 10;
    const flipped = `${hex.slice(0, at)}${(parseInt(hex[at] as string, 16) ^ 1).toString(16)}${hex.slice(at + 1)}`;
    await env.DB.prepare('UPDATE member_records SET sealed = unhex(?) WHERE id = ?').bind(flipped, bob.id).run();
    expect((await storedMembers(audienceId))[1]?.envelopes[0]?.bytes).not.toEqual(bob.envelopes[0]?.bytes);
    const res = await fetchAs('admin', `/api/audiences/${audienceId}/export.csv`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; details: unknown; message: string } };
    expect(body.error).toMatchObject({ code: 'sealed_value_unreadable', details: { memberId: String(bob.id), field: expect.stringMatching(/^(mobile|first_name)$/) } });
    expect(body.error.message).not.toContain('+14155550000');
    const pushed = await nextMembers(env, 'default', audienceId, { conditions: [], params: [] }, 0, 10, [second]).catch((e: unknown) => e);
    expect(pushed).toMatchObject({ code: 'sealed_value_unreadable', details: { memberId: String(bob.id), field: second } });
  });
});
