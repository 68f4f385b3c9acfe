import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSensitiveCell } from '../../shared/privacy/checkSensitiveCell.ts';
import { identifierDigest } from '../../shared/privacy/identifierDigest.ts';
import { sealBatchCells } from '../../shared/privacy/sealBatchCells.ts';
import type { MemberPage } from '../../shared/schema/audiences.ts';
import type { BatchResult, PrivateBatchRow } from '../../shared/schema/imports.ts';
import type { WorkspaceSealingKey } from '../../shared/schema/privacy.ts';
import type { PushPreview } from '../../shared/schema/crmPush.ts';
import { connect, createOrg } from './connectors/fakeSalesforce.ts';
import { saveExportSettings } from './push/pushHelpers.ts';
import { call, ok, rows, sendBatch, startBody, startImport, type Column } from './support/api.ts';

const COLUMNS: Column[] = [
  { column: 'E-mail', target: 'email', sensitive: true },
  { column: 'City', target: 'city' },
];
const PEOPLE = [
  ['Ada@Example.com', 'Paris'],
  ['bob@example.org', 'Rome'],
];

type ErrorBody = { error: { code: string; message: string } };
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const members = (audienceId: string, query: string) => call<MemberPage & ErrorBody>('GET', `/api/audiences/${audienceId}/members?${query}`);

/** A private audience filled as the tab fills it: each email checked, normalised and sealed here, never sent plain. */
async function privateAudience(): Promise<string> {
  const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
  const imp = await startImport({ ...startBody(COLUMNS, 'E-mail'), privacyMode: true });
  const normalized = PEOPLE.map(([email]) => {
    const verdict = checkSensitiveCell(email ?? '', { type: 'email', defaultCountry: 'US' });
    if (!verdict.ok) throw new Error('a valid email');
    return verdict.normalized;
  });
  // One sensitive value a row: each row's envelope holds its email alone.
  const { sealing, rows } = await sealBatchCells(key, normalized.map((n) => [{ type: 'email' as const, normalized: n }]));
  const batch: PrivateBatchRow[] = PEOPLE.map(([, city], i) => ({ row: i + 1, values: [rows[i]?.[0] ?? '', city ?? ''] }));
  const put = await call<BatchResult>('PUT', `/api/imports/${imp.id}/batches/0`, { seq: 0, idempotencyKey: `k-${imp.id}`, rows: batch, sealing });
  expect(put.status).toBe(200);
  await ok('POST', `/api/imports/${imp.id}/finish`);
  return imp.audienceId;
}

describe('find by identifier in a private audience', () => {
  it('finds a member by the digest the tab computes, and refuses the plain value', async () => {
    const audienceId = await privateAudience();
    const all = await ok<MemberPage>('GET', `/api/audiences/${audienceId}/members`);
    // The page tells the tab how to read a typed identifier, and that it must send a digest.
    expect(all.identifierSearch).toEqual({ type: 'email', defaultCountry: 'US', sensitive: true, byDigest: true });
    expect(all.members.map((m) => m.identifier)).toEqual(['••••••', '••••••']);

    const typed = await identifierDigest('  ADA@example.COM ', { type: 'email', defaultCountry: 'US' });
    if (!typed.ok) throw new Error('a valid email');
    expect(typed.digest).toBe(sha256('ada@example.com'));
    const found = await members(audienceId, `identifierDigest=${typed.digest}`);
    expect(found.status).toBe(200);
    expect(found.body.filtered).toBe(true);
    expect(found.body.members.map((m) => m.attributes.city)).toEqual(['Paris']);

    // Another person's digest, and a digest of the value as typed (not normalised), find nobody.
    expect((await members(audienceId, `identifierDigest=${sha256('nobody@example.com')}`)).body.members).toEqual([]);
    expect((await members(audienceId, `identifierDigest=${sha256('Ada@Example.com')}`)).body.members).toEqual([]);

    // The plain value is refused, saying why: the server never sees this audience's identifiers.
    const plain = await members(audienceId, `identifier=${encodeURIComponent('ada@example.com')}`);
    expect(plain.status).toBe(422);
    expect(plain.body.error.code).toBe('privacy_mode');
    expect(plain.body.error.message).toContain('identifierDigest');

    expect((await members(audienceId, `identifierDigest=${'A'.repeat(64)}`)).status).toBe(400);
    expect((await members(audienceId, `identifierDigest=${typed.digest}&identifier=x`)).status).toBe(400);
  });

  it('keeps the server-side search of a sensitive identifier in a standard audience, and the digest finds the same member', async () => {
    const imp = await startImport(startBody(COLUMNS, 'E-mail'));
    await sendBatch(imp.id, 0, rows(1, PEOPLE));
    const all = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members`);
    expect(all.identifierSearch).toEqual({ type: 'email', defaultCountry: 'US', sensitive: true, byDigest: false });
    const typed = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members?identifier=${encodeURIComponent(' ADA@example.com')}`);
    expect(typed.members.map((m) => m.attributes.city)).toEqual(['Paris']);
    const digest = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members?identifierDigest=${sha256('ada@example.com')}`);
    expect(digest.members.map((m) => m.id)).toEqual(typed.members.map((m) => m.id));
  });

  it('a plain identifier is searched as typed, in any mode; a digest of it is refused as meaningless', async () => {
    const plainColumns: Column[] = [
      { column: 'Customer', target: 'customer_id' },
      { column: 'E-mail', target: 'email', sensitive: true },
    ];
    const key = await ok<WorkspaceSealingKey>('GET', '/api/privacy/key');
    const imp = await startImport({ ...startBody(plainColumns, 'Customer'), privacyMode: true });
    const { sealing, rows } = await sealBatchCells(key, [[{ type: 'email', normalized: 'cy@example.com' }]]);
    await call('PUT', `/api/imports/${imp.id}/batches/0`, { seq: 0, idempotencyKey: `k-${imp.id}`, rows: [{ row: 1, values: ['C-42', rows[0]?.[0]] }], sealing });
    const all = await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members`);
    expect(all.identifierSearch).toMatchObject({ sensitive: false, byDigest: false });
    expect((await ok<MemberPage>('GET', `/api/audiences/${imp.audienceId}/members?identifier=C-42`)).members.map((m) => m.identifier)).toEqual(['C-42']);
    const refused = await members(imp.audienceId, `identifierDigest=${sha256('C-42')}`);
    expect(refused.status).toBe(400);
  });
  it('a push of a private audience is not scoped by its identifier as typed; the member found by digest is pushed by id', async () => {
    const audienceId = await privateAudience();
    const connectionId = await connect(await createOrg());
    await saveExportSettings(connectionId, {
      people: {
        target: 'contact',
        identifiers: [{ platformField: 'city', crmProperty: 'MailingCity' }],
        fields: [
          { platformField: 'city', crmProperty: 'MailingCity' },
          { platformField: 'city', crmProperty: 'LastName' },
        ],
      },
    });
    const request = (scope: unknown) => ({ connectionId, audienceId, scope, exportTimeValues: {} });
    for (const path of ['/api/pushes/preview', '/api/pushes']) {
      const refused = await call<ErrorBody>('POST', path, request({ kind: 'selection', search: 'ada@example.com' }));
      expect(refused.status, path).toBe(422);
      expect(refused.body.error.code).toBe('privacy_mode');
      expect(refused.body.error.message).toMatch(/identifierDigest/);
    }
    const typed = await identifierDigest('ada@example.com', { type: 'email', defaultCountry: 'US' });
    if (!typed.ok) throw new Error('a valid email');
    const [found] = (await members(audienceId, `identifierDigest=${typed.digest}`)).body.members;
    if (!found) throw new Error('the member is found by its digest');
    const byId = await ok<PushPreview>('POST', '/api/pushes/preview', request({ kind: 'member', memberId: Number(found.id) }));
    expect(byId.members).toBe(1);
    expect(byId.sample.map((s) => s.member)).toEqual([found.identifier]);
  });
});
